//! The test environment's own promises: the image names the end-to-end tests
//! fall back on are the ones tests/images/build.sh builds (tagged with the
//! versions pinned in tests/images/pins.sh).

#[path = "e2e_support/mod.rs"]
mod support;

use support::{printed_images, FALLBACK_IMAGES};

#[test]
fn the_fallback_image_names_are_those_build_sh_prints() {
    let printed = printed_images();
    // obsctl's own test programs are tagged dev-<hash of their sources>; the
    // fallback names them by the `dev` prefix.
    let printed: Vec<String> = printed
        .lines()
        .map(|line| match line.rsplit_once(":dev-") {
            Some((image, hash))
                if hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                format!("{image}:dev")
            }
            _ => line.to_string(),
        })
        .collect();
    let expected: Vec<String> = FALLBACK_IMAGES
        .iter()
        .map(|(var, image)| format!("{var}={image}"))
        .collect();
    assert_eq!(
        printed, expected,
        "tests/images/build.sh --print and FALLBACK_IMAGES in tests/e2e_support differ"
    );
}
