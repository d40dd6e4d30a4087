// expect: error[E0423]: cannot initialize a tuple struct which contains private fields
// Netlink policies come only from Policy's constructors: safe code cannot
// build one whose pointer fields point anywhere.
use crate::knet::netlink::Policy;
fn forge(p: Policy) -> Policy {
    Policy(todo!())
}
