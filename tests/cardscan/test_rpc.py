from cardscan.rpc import MAX_STATUS_MESSAGE_BYTES, status_message


def test_a_short_status_message_is_sent_as_it_is():
    assert status_message("the upload is empty") == "the upload is empty"


def test_a_long_status_message_is_cut_at_a_character_and_marked():
    text = "the ZIP has no card images: " + "名" * 5000

    message = status_message(text)

    assert len(message.encode()) <= MAX_STATUS_MESSAGE_BYTES
    assert message.endswith("名…")
    assert text.startswith(message[:-1])
