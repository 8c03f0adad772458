"""Character ranges looked up by the offsets they hold."""
import bisect
from typing import Iterable, List, Tuple


class Intervals:
    """Character ranges with a value each, found by the offsets they hold. The ranges' ends cut the
    text into pieces that each lie inside the same ranges; each piece's values are listed once, so a
    lookup is one bisection whatever the ranges' number and length (a letter's ranges grow with its
    length, and every candidate asks)."""

    def __init__(self, ranges: Iterable[Tuple[int, int, object]]):
        ranges = sorted(ranges, key=lambda item: (item[0], item[1]))
        self.points = sorted({offset for start, end, _ in ranges for offset in (start, end)})
        self.pieces: List[List] = []
        active: List[int] = []  # indices into `ranges` of those holding the current piece, ascending
        next_range = 0
        for point in self.points:
            active = [index for index in active if ranges[index][1] > point]
            while next_range < len(ranges) and ranges[next_range][0] == point:
                if ranges[next_range][1] > point:
                    active.append(next_range)
                next_range += 1
            self.pieces.append([ranges[index][2] for index in active])

    def containing(self, offset: int) -> List:
        """The values of the ranges holding the offset, in the order of their (start, end)."""
        piece = bisect.bisect_right(self.points, offset) - 1
        return list(self.pieces[piece]) if piece >= 0 else []
