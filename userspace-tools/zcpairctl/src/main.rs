#![allow(non_upper_case_globals, non_camel_case_types, dead_code)]
include!(concat!(env!("OUT_DIR"), "/zcpair_uapi.rs"));
fn main() {}
