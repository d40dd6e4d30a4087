// expect: error[E0382]: use of moved value: `ctx`
// A NAPI poll completes at most once: complete_done consumes the poll
// context (napi_complete_done twice trips the core's state checks).
use crate::knet::napi::PollCtx;
fn complete_twice(ctx: PollCtx<'_>) {
    ctx.complete_done(0);
    ctx.complete_done(0);
}
