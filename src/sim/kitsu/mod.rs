//! Simulator for kitsu (placeholder until its routes land).

pub fn router() -> axum::Router {
    axum::Router::new()
}

pub fn demo_config(_base: &str) -> String {
    String::new()
}
