//! Offset paging shared by every list operation.

use serde::{Deserialize, Serialize};

/// Which slice of a list to return: skip `offset` items, return at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Items to skip.
    pub offset: u64,
    /// Most items to return; 0 returns none (but still counts).
    pub limit: u64,
}

impl PageRequest {
    /// Every item.
    pub const ALL: Self = Self {
        offset: 0,
        limit: u64::MAX,
    };

    /// A page of `limit` items after `offset`.
    pub fn new(offset: u64, limit: u64) -> Self {
        Self { offset, limit }
    }

    /// The index range this page covers within a list of `total` items.
    pub fn range(self, total: usize) -> std::ops::Range<usize> {
        let total64 = total as u64;
        let start = self.offset.min(total64);
        let end = start.saturating_add(self.limit).min(total64);
        // Both are ≤ total, which is a usize.
        usize::try_from(start).unwrap_or(total)..usize::try_from(end).unwrap_or(total)
    }
}

/// One page of a list, and how many items the whole list holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// How many items match, before paging.
    pub total: u64,
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// Pages an already materialised list.
    pub fn from_vec(all: Vec<T>, page: PageRequest) -> Self {
        let total = all.len() as u64;
        let range = page.range(all.len());
        let items = all
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect();
        Self { total, items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_clamps_every_edge() {
        let cases = [
            (PageRequest::new(0, 10), 5, 0..5),
            (PageRequest::new(3, 10), 5, 3..5),
            (PageRequest::new(5, 10), 5, 5..5),
            (PageRequest::new(u64::MAX, u64::MAX), 5, 5..5),
            (PageRequest::new(1, u64::MAX), 5, 1..5),
            (PageRequest::new(0, 0), 5, 0..0),
            (PageRequest::new(2, 2), 0, 0..0),
        ];
        for (page, total, want) in cases {
            assert_eq!(page.range(total), want, "{page:?} of {total}");
        }
    }

    #[test]
    fn from_vec_keeps_total() {
        let page = Page::from_vec(vec![1, 2, 3, 4], PageRequest::new(1, 2));
        assert_eq!(page.total, 4);
        assert_eq!(page.items, vec![2, 3]);
    }
}
