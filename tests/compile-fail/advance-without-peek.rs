// expect: error[E0624]: method `advance` is private
// The consumer's head moves only over a descriptor that was read: there is
// no way to advance a Consumer without the RxDesc of a successful peek.
fn advance_without_peek(c: &mut Consumer) {
    c.advance();
}
