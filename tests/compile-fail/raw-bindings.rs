// expect: error[E0603]: module `bindings` is private
// The driver sees no raw C: only rust/ uses the generated bindings.
fn net_device_size() -> usize {
    core::mem::size_of::<crate::knet::bindings::net_device>()
}
