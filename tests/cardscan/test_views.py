"""How a batch's view is checked and named, alike in the gateway and the store."""

import pytest

from cardscan import views
from cardscan.errors import InvalidInput
from cardscan.v1 import batch_pb2

BatchView = batch_pb2.BatchView


def test_a_request_naming_no_view_gets_the_full_batch():
    assert views.checked(BatchView.BATCH_VIEW_UNSPECIFIED) == BatchView.BATCH_VIEW_FULL
    assert views.with_cards(views.checked(BatchView.BATCH_VIEW_UNSPECIFIED))


def test_the_basic_view_leaves_the_cards_out():
    assert views.checked(BatchView.BATCH_VIEW_BASIC) == BatchView.BATCH_VIEW_BASIC
    assert not views.with_cards(BatchView.BATCH_VIEW_BASIC)
    assert views.with_cards(BatchView.BATCH_VIEW_FULL)


@pytest.mark.parametrize("view", [3, -1, 1000])
def test_a_number_that_is_no_view_is_refused_naming_it(view):
    with pytest.raises(InvalidInput, match=f"view is {view}, which is no BatchView"):
        views.checked(view)


def test_views_are_named_basic_and_full():
    assert views.named("basic") == BatchView.BATCH_VIEW_BASIC
    assert views.named("full") == BatchView.BATCH_VIEW_FULL


@pytest.mark.parametrize("name", ["", "BASIC", "summary"])
def test_another_name_is_refused_naming_it(name):
    with pytest.raises(
        InvalidInput, match=f"view is {name!r}: give one of basic, full"
    ):
        views.named(name)
