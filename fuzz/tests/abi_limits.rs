//! The module's allocation entry point under sizes no host should ask for.

use kuracloud_fuzz::module;
use kuracloud_loader::Limits;

/// What the host says when the module is asked for `len` bytes of input.
fn start_with_input_of(len: usize) -> String {
    let mut instance = module().instantiate(Limits::default()).unwrap();
    // Zeroed on demand by the OS and never read: the module refuses the size before the
    // host copies a byte.
    let input = vec![0u8; len];
    let error = instance.start(&input).unwrap_err().to_string();
    // The instance is discarded, as after any trap.
    assert!(instance.info().is_err());
    error
}

/// `kc_alloc` of 2 GiB or more used to trap on a capacity-overflow panic, which hosts
/// report as a bug in the module; now it ends as every allocation over the memory
/// limit does.
#[test]
fn an_allocation_of_2_gib_or_more_ends_like_any_allocation_over_the_limit() {
    let over_the_limit = start_with_input_of(1 << 30);
    assert!(
        over_the_limit.contains("memory limit of 512 MiB"),
        "{over_the_limit}"
    );
    for len in [2 << 30, (2 << 30) + 1, 3 << 30, u32::MAX as usize] {
        assert_eq!(start_with_input_of(len), over_the_limit, "kc_alloc({len})");
    }
    // Within the limit, a large input is simply read (and refused as not JSON).
    let mut instance = module().instantiate(Limits::default()).unwrap();
    let step = instance.start(&vec![b' '; 64 << 20]).unwrap();
    assert!(step.contains(r#""code":"invalid_input""#), "{step}");
}
