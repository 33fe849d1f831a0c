"""Guessing from a card's ink how far its text is turned, so that the first
reading is usually of the upright card rather than of a sideways or
upside-down one that must be read again."""

import cv2
import numpy as np

# The ink is judged at half size: letters keep their shape at the sizes
# cards are read at, and the guess costs a quarter of the time.
SCALE = 0.5

# Grey level below which a pixel of the half-size picture counts as ink;
# halving blends thin strokes with paper, so the cut sits above mid-grey.
INK_LEVEL = 160

# Marks smaller than this many pixels of the half-size picture are specks,
# dots and accents, which say nothing about where a line runs.
MIN_LETTER_HEIGHT = 3

# Fewer letters than this give no reliable sign either way.
MIN_LETTERS = 8

# Letters closer than this many letter sizes belong to one run of text.
RUN_GAP = 0.8

# A run needs this many letters of its common size to judge its baseline.
MIN_RUN_LETTERS = 4

# A letter whose top or bottom sits further than this share of the run's
# letter height from the others' sticks out: an ascender or a descender.
STICK_OUT = 0.15

# Below this lean the ink does not tell upright from upside down; the card
# is then read as it lies and the readings decide.
MIN_LEAN = 0.03


def quarter_turns(grey: np.ndarray) -> int:
    """How many quarter turns counter-clockwise, as numpy.rot90 counts them,
    probably bring the card's text upright; 0 when its ink gives no clear
    sign. Expects dark text on a light background.

    Lines of text run along the card: smearing the ink along its lines joins
    each line's letters into few runs, smearing it across joins far fewer.
    Latin letters rise above the middle of a line (capitals, b, d, h, k, l,
    t) far more often than they drop below its baseline (g, j, p, q, y), so
    in upside-down text more letters hang below than stand above.
    """
    height, width = grey.shape
    small_size = (max(1, round(width * SCALE)), max(1, round(height * SCALE)))
    small = cv2.resize(grey, small_size, interpolation=cv2.INTER_AREA)
    ink = (small < INK_LEVEL).astype(np.uint8)
    marks = mark_boxes(ink)
    letters = letters_among(marks)
    if len(letters) < MIN_LETTERS:
        return 0

    gap = max(3, round(RUN_GAP * np.median(letters[:, 2:4].max(axis=1))))
    turns = 0
    if smeared_count(ink, (gap, 1)) < smeared_count(ink, (1, gap)):
        turns = 1
        letters = letters_among(turned_boxes(marks, ink.shape[1]))
        ink = np.ascontiguousarray(np.rot90(ink))
    if ascender_lean(letters, runs_of(ink, gap)) < -MIN_LEAN:
        turns += 2
    return turns


def mark_boxes(ink: np.ndarray) -> np.ndarray:
    """Left, top, width and height of each separate mark of ink."""
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        ink, 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    return stats[1:, :4]


def letters_among(boxes: np.ndarray) -> np.ndarray:
    """The boxes of marks tall enough to be letters."""
    return boxes[boxes[:, 3] >= MIN_LETTER_HEIGHT]


def turned_boxes(boxes: np.ndarray, width: int) -> np.ndarray:
    """The boxes where numpy.rot90 puts them when it turns a picture of
    this width a quarter counter-clockwise."""
    left, top, box_width, box_height = boxes.T
    return np.stack([top, width - left - box_width, box_height, box_width], axis=1)


def smeared_count(ink: np.ndarray, kernel: tuple[int, int]) -> int:
    """How many separate blots the ink makes once smeared by the kernel,
    given as (height, width)."""
    smeared = cv2.dilate(ink, np.ones(kernel, np.uint8))
    return cv2.connectedComponents(smeared)[0] - 1


def runs_of(ink: np.ndarray, gap: int) -> np.ndarray:
    """A label for each pixel: the run of text, smeared along the lines,
    that it belongs to; 0 for paper."""
    smeared = cv2.dilate(ink, np.ones((1, gap), np.uint8))
    return cv2.connectedComponents(smeared)[1]


def ascender_lean(letters: np.ndarray, runs: np.ndarray) -> float:
    """The share of letters standing above their run's middle less the share
    hanging below its baseline: above 0 for upright Latin text, below 0 for
    upside-down text, near 0 for capitals and digits alone."""
    left, top, width, height = letters.T
    run = runs[top + height // 2, left + width // 2]
    # Letters the smearing missed lie on paper, in no run.
    order = np.flatnonzero(run)
    order = order[np.argsort(run[order], kind="stable")]
    starts = np.flatnonzero(np.diff(run[order])) + 1
    lean = counted = 0
    for members in np.split(order, starts):
        if members.size < MIN_RUN_LETTERS:
            continue
        common = np.median(height[members])
        usual = (height[members] > common / 2) & (height[members] < 2 * common)
        members = members[usual]
        if members.size < MIN_RUN_LETTERS:
            continue
        tops, bottoms = top[members], top[members] + height[members]
        margin = STICK_OUT * np.median(height[members])
        standing = np.sum(tops < np.median(tops) - margin)
        hanging = np.sum(bottoms > np.median(bottoms) + margin)
        lean += standing - hanging
        counted += members.size
    return lean / counted if counted else 0.0
