// expect: error[E0382]: borrow of moved value: `d`
// Advancing consumes the descriptor: nothing read from the slot can be used
// once the producer may reuse it.
fn desc_after_advance(c: &mut Consumer) -> usize {
    let Some(d) = c.peek() else { return 0 };
    d.advance();
    d.header().len()
}
