// expect: error: usage of an `unsafe` block
// Driver code is forbid(unsafe_code): it cannot make a poll context (proof
// of running inside a NAPI poll) outside the poll trampoline.
use crate::knet::napi::PollCtx;
fn forge() -> PollCtx<'static> {
    unsafe { PollCtx::new(core::ptr::NonNull::dangling(), 64) }
}
