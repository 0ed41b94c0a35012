//! GitHub Releases as the default source (CONTRACT 2.4), against the fake API:
//! pagination, drafts, the other product's tags, the token, `digest`, rate
//! limits, redirects to another host and conditional listings.

use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const REPO: &str = "microsoft/BitNet";
const LIST: &str = "/github-api/repos/microsoft/BitNet/releases";

/// Publishes a standard release of `version` under the world's root and
/// describes it as GitHub would, without adding it to any listing.
fn release(world: &World, scratch: &FakeGitHub, tag: &str, version: &str) -> GhRelease {
    let written =
        world.publish(&ReleaseBuilder::new("bitnet", version).asset_standard(TARGET, None));
    scratch.publish_dir(tag, &world.root, &written.dir, true)
}

/// A fake API for another repository, whose only use is to describe releases.
fn scratch(world: &World) -> FakeGitHub {
    world.github("scratch/only")
}

fn install(world: &World, extra: &[(&str, &str)]) -> Output {
    let mut cmd = world.cmd();
    cmd.env("BITNET_RETRY_BASE_MS", "10")
        .args(["install", "--target", TARGET, "--json"]);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    Output::run(&mut cmd)
}

fn asset_path(version: &str) -> String {
    format!("/v{version}/bitnet-{version}-{TARGET}.tar.gz")
}

#[test]
fn installs_the_newest_release_across_pages_skipping_drafts_and_installer_tags() {
    let world = World::new();
    let gh = world.github(REPO);
    let other = scratch(&world);
    gh.page_size(2);
    // Added oldest first: 0.4.0 ends up alone on the last of three pages.
    gh.add(release(&world, &other, "v0.4.0", "0.4.0"));
    gh.add(release(&world, &other, "v0.3.1", "0.3.1"));
    let mut draft = release(&world, &other, "v0.5.0", "0.5.0");
    draft.draft = true;
    gh.add(draft);
    gh.add(release(&world, &other, "bitnet-install-v9.9.9", "9.9.9"));
    gh.add(release(&world, &other, "v0.3.0", "0.3.0"));

    let out = install(&world, &[("GITHUB_TOKEN", "tok123")]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "0.4.0");
    let listings = world.server.requests_to(LIST);
    assert_eq!(listings.len(), 3, "every page was followed");
    for request in &listings {
        assert_eq!(request.header("authorization"), Some("Bearer tok123"));
    }
    assert_eq!(world.server.count(&asset_path("0.5.0")), 0);
    assert_eq!(world.server.count(&asset_path("9.9.9")), 0);
    let cli = world.run_installed("bitnet-cli", &[]);
    assert_eq!(cli.stdout.trim(), "bitnet-cli 0.4.0");
}

#[test]
fn gh_token_is_sent_when_github_token_is_not_set() {
    let world = World::new();
    let gh = world.github(REPO);
    gh.add(release(&world, &scratch(&world), "v0.3.2", "0.3.2"));
    install(&world, &[("GH_TOKEN", "fromgh")]).assert_code(0);
    assert_eq!(
        world.server.requests_to(LIST)[0].header("authorization"),
        Some("Bearer fromgh")
    );
}

#[test]
fn a_published_digest_that_disagrees_fails_with_exit_5() {
    let world = World::new();
    let gh = world.github(REPO);
    let mut lying = release(&world, &scratch(&world), "v0.3.2", "0.3.2");
    let name = format!("bitnet-0.3.2-{TARGET}.tar.gz");
    for asset in lying.assets.iter_mut().filter(|a| a.name == name) {
        asset.digest = Some(format!("sha256:{}", sha256_hex(b"something else")));
    }
    gh.add(lying);
    let out = install(&world, &[]);
    out.assert_code(5);
    assert!(out.stderr.contains(&name), "{out}");
    assert!(!world.bin.join("bitnet-cli").exists());
}

#[test]
fn a_rate_limit_says_when_it_resets_and_that_a_token_lifts_it() {
    for status in [429, 403] {
        let world = World::new();
        let gh = world.github(REPO);
        gh.add(release(&world, &scratch(&world), "v0.3.2", "0.3.2"));
        let reset = unix_now() + 600;
        world.server.fault(LIST, Fault::rate_limited(status, reset));
        let out = install(&world, &[]);
        out.assert_code(4);
        assert_eq!(
            world.server.count(LIST),
            1,
            "a rate limit is not hammered with retries"
        );
        assert!(out.stderr.contains(&reset.to_string()), "{out}");
        assert!(out.stderr.contains("in about 10 minutes"), "{out}");
        assert!(out.stderr.contains("GITHUB_TOKEN"), "{out}");
    }
}

#[test]
fn assets_follow_a_redirect_to_another_host_without_the_token() {
    let world = World::new();
    let gh = world.github(REPO);
    gh.add(release(&world, &scratch(&world), "v0.3.2", "0.3.2"));
    let storage = TestServer::https(world.root.clone());
    let path = asset_path("0.3.2");
    world
        .server
        .fault(&path, Fault::redirect_to_server(&storage));
    install(&world, &[("GITHUB_TOKEN", "tok123")]).assert_code(0);
    let first = &world.server.requests_to(&path)[0];
    assert_eq!(first.status, 302);
    assert_eq!(first.header("authorization"), Some("Bearer tok123"));
    let followed = storage.requests_to(&path);
    assert_eq!(followed.len(), 1);
    assert_eq!(
        followed[0].header("authorization"),
        None,
        "the token never leaves the host it was meant for"
    );
}

/// A listing with one release a page that answers `If-None-Match` with 304,
/// without repeating its `Link` header, as a cache in front of it might.
fn serve_listing_with_etags(world: &World, releases: Vec<GhRelease>) {
    let base = world.server.base_url();
    world.server.handle(move |req| {
        if req.path != LIST {
            return None;
        }
        let page: usize = req
            .query
            .as_deref()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("page=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let body = match releases.get(page - 1) {
            Some(r) => serde_json::json!([{
                "tag_name": r.tag,
                "draft": r.draft,
                "assets": r.assets.iter().map(|a| serde_json::json!({
                    "name": a.name,
                    "browser_download_url": a.browser_download_url,
                    "size": a.size,
                    "digest": a.digest,
                })).collect::<Vec<_>>(),
            }]),
            None => serde_json::json!([]),
        };
        let etag = format!("\"{}\"", &sha256_hex(body.to_string().as_bytes())[..16]);
        if req.header("if-none-match") == Some(etag.as_str()) {
            return Some(Response::new(304).header("ETag", &etag));
        }
        let mut response = Response::json(&body).header("ETag", &etag);
        if page < releases.len() {
            let next = format!("{base}{LIST}?per_page=1&page={}", page + 1);
            response = response.header("Link", &format!("<{next}>; rel=\"next\""));
        }
        Some(response)
    });
}

#[test]
fn an_unchanged_listing_is_answered_with_304s_and_remembered_pages() {
    let world = World::new();
    let other = scratch(&world);
    let releases = vec![
        release(&world, &other, "v0.3.1", "0.3.1"),
        release(&world, &other, "v0.3.2", "0.3.2"),
    ];
    serve_listing_with_etags(&world, releases);
    let check = || {
        let out = Output::run(world.cmd().args(["update", "--check", "--json"]));
        out.assert_code(10);
        assert_eq!(out.json()["latest"], "0.3.2", "{out}");
    };
    check();
    world.server.clear_log();
    check();
    let seen: Vec<(u16, u64)> = world
        .server
        .requests_to(LIST)
        .iter()
        .map(|r| (r.status, r.body_bytes_sent))
        .collect();
    assert_eq!(
        seen,
        [(304, 0), (304, 0)],
        "both pages were asked for conditionally and moved no body"
    );
    assert_eq!(world.server.requests().len(), 2);
}

#[test]
fn a_token_with_a_line_break_is_bad_input_not_a_crash() {
    let world = World::new();
    let out = Output::run(
        world
            .cmd()
            .env("GITHUB_TOKEN", "abc\ndef")
            .args(["install", "--dry-run"]),
    );
    out.assert_code(2);
    assert!(out.stderr.contains("GITHUB_TOKEN"), "{out}");
}
