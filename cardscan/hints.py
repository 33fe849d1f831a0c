"""The cardscan commands that messages suggest running next against the
gateway, written so that, run as shown, they reach the gateway the command
that suggests them reached."""

import shlex


def command(server: str | None, *words: str) -> str:
    """A cardscan command of the words, in backquotes as messages show it,
    naming the server where --server gave one on the command line: without
    it the command would reach $CARDSCAN_SERVER or the default. A server
    that came from $CARDSCAN_SERVER is left out, as the shell still holds
    it."""
    server_option = ["--server", server] if server else []
    return f"`{shlex.join(['cardscan', *server_option, *words])}`"
