// expect: error[E0499]: cannot borrow `*c` as mutable more than once at a time
// One descriptor at a time: a second peek while the first is held would
// let the head move past a slot still being read.
fn two_descs(c: &mut Consumer) -> usize {
    let a = c.peek();
    let b = c.peek();
    a.map_or(0, |d| d.len()) + b.map_or(0, |d| d.len())
}
