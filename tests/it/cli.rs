//! The command line's conventions (issue 18): did-you-mean, `env` in help,
//! value completion, error wording, all through the real binary.

use crate::support::world::World;

#[test]
fn a_misspelt_flag_suggests_the_real_one() {
    let world = World::new();
    let out = world.run(&["install", "--frm", "/tmp"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("a similar argument exists: '--from'"),
        "no suggestion:\n{out}"
    );
}
