//! A simulated table that remembers the orders of its recent lists until
//! its next write. A client paging through ten thousand rows asks for the
//! same filter and order a hundred times; a database's index answers each
//! page without sorting them all again, and so does this.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Orders of a list remembered at once; a console pages through one or
/// two at a time.
const ORDERS_KEPT: usize = 8;

type Orders = VecDeque<(String, Arc<Vec<usize>>)>;

pub struct Ordered<T> {
    rows: Vec<T>,
    /// (a list's query key, the indices of the rows it keeps, in order).
    orders: Mutex<Orders>,
}

impl<T> Ordered<T> {
    pub const fn new(rows: Vec<T>) -> Self {
        Self {
            rows,
            orders: Mutex::new(VecDeque::new()),
        }
    }

    /// Every write goes through here, so no remembered order outlives it.
    pub fn write(&mut self) -> &mut Vec<T> {
        self.orders
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        &mut self.rows
    }

    /// The order remembered under `key`, or `make`'s, remembered now.
    pub fn order(&self, key: String, make: impl FnOnce() -> Vec<usize>) -> Arc<Vec<usize>> {
        if let Some((_, order)) = self.orders().iter().find(|(k, _)| *k == key) {
            return Arc::clone(order);
        }
        let order = Arc::new(make());
        let mut orders = self.orders();
        if orders.len() >= ORDERS_KEPT {
            orders.pop_front();
        }
        orders.push_back((key, Arc::clone(&order)));
        order
    }

    fn orders(&self) -> MutexGuard<'_, Orders> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl<T> std::ops::Deref for Ordered<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_remembered_until_the_next_write() {
        let mut table = Ordered::new(vec![3, 1, 2]);
        let sorted = |t: &Ordered<i32>| {
            let mut order: Vec<usize> = (0..t.len()).collect();
            order.sort_by_key(|&i| t[i]);
            order
        };
        assert_eq!(*table.order("asc".into(), || sorted(&table)), [1, 2, 0]);
        // Remembered: a different answer from `make` is not asked for.
        assert_eq!(*table.order("asc".into(), Vec::new), [1, 2, 0]);
        table.write().push(0);
        assert_eq!(*table.order("asc".into(), || sorted(&table)), [3, 1, 2, 0]);
    }

    #[test]
    fn only_the_latest_orders_are_kept() {
        let table = Ordered::new(vec![0]);
        for n in 0..=ORDERS_KEPT {
            table.order(n.to_string(), || vec![n]);
        }
        // The first was forgotten to make room for the last.
        assert_eq!(*table.order("0".into(), Vec::new), Vec::<usize>::new());
        assert_eq!(
            *table.order(ORDERS_KEPT.to_string(), Vec::new),
            [ORDERS_KEPT]
        );
    }
}
