// expect: error[E0505]: cannot move out of `d` because it is borrowed
// A frame's zero-copy state is valid only while its descriptor is held:
// after `advance` the sender may release the frame (and the state with it).
use crate::knet::skb::RxSkb;
fn attach_late(c: &mut Consumer, skb: &mut RxSkb) {
    let Some(d) = c.peek() else { return };
    let z = d.zcopy();
    d.advance();
    if let Some(z) = z {
        skb.attach_zcopy(&z);
    }
}
