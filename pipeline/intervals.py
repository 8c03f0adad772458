"""Character ranges looked up by the offsets they hold."""
import bisect
from typing import Iterable, List, Tuple


class Intervals:
    """Character ranges with a value each, found by the offsets they hold without a scan of all of
    them (a letter's ranges grow with its length, and every candidate asks)."""

    def __init__(self, ranges: Iterable[Tuple[int, int, object]]):
        self.ranges = sorted(ranges, key=lambda item: (item[0], item[1]))
        self.starts = [start for start, _, _ in self.ranges]
        self.longest = max((end - start for start, end, _ in self.ranges), default=0)

    def containing(self, offset: int) -> List:
        first = bisect.bisect_left(self.starts, offset - self.longest)
        last = bisect.bisect_right(self.starts, offset)
        return [value for start, end, value in self.ranges[first:last] if start <= offset < end]
