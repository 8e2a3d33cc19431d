//! The catalogue: ids, and how each variant differs from wscheck's own request.

use super::*;

#[test]
fn ids_are_unique_and_never_a_group_name() {
    let subprotocols = vec!["chat".into(), "unknown".into(), "chat".into()];
    let overlay = Overlay { subprotocols, ..Default::default() };
    let all = catalogue(&overlay);
    for v in &all {
        assert_eq!(all.iter().filter(|o| o.id == v.id).count(), 1, "{}", v.id);
        assert!(Group::ALL.iter().all(|g| g.name() != v.id), "{}", v.id);
    }
    assert!(all.iter().any(|v| v.id == "subprotocol-chat"));
    assert_eq!(all[0].id, "wscheck");
}

#[test]
fn a_variant_differs_from_the_baseline_in_its_own_way_and_keeps_the_users_headers() {
    let overlay = Overlay {
        headers: vec![("Cookie".into(), "a=b".into()), ("Host".into(), "h.example".into())],
        origin: Some("https://app.example".into()),
        ..Default::default()
    };
    let all = catalogue(&overlay);
    let find = |id: &str| all.iter().find(|v| v.id == id).unwrap();
    let has = |id: &str, name: &str| find(id).offer.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    assert!(!has("no-host", "Host"), "-H Host does not put back what no-host is about");
    assert!(has("no-host", "Cookie") && has("chrome", "Cookie") && has("ping", "Cookie"));
    assert!(!has("no-origin", "Origin"));
    assert!(has("curl", "Origin"), "-o goes to every client");
    assert_eq!(find("post").offer.method, "POST");
    assert_eq!(find("http-1.0").offer.version, "HTTP/1.0");
    assert!(find("lower-case").offer.headers.iter().all(|(n, _)| n == &n.to_ascii_lowercase()));
}
