//! `frenzy serve`: an HTTP index of the store's runs and their files (reports, charts, results).

use crate::index::{index_html, list_runs};
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The routes: `/` (the index) and `/runs/<test>/<stamp>/<file>` (a file of a run).
pub fn router(store: PathBuf) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/runs/{test}/{run}/{*file}", get(run_file))
        .with_state(Arc::new(store))
}

/// Serves the store on a listener (a plain TCP one, or one that times idle clients out) until
/// `shutdown` completes.
pub async fn serve_on<L>(
    listener: L,
    store: PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn index(State(store): State<Arc<PathBuf>>) -> Response {
    let dir = store.as_ref().clone();
    let listed = tokio::task::spawn_blocking(move || list_runs(&dir)).await;
    match listed {
        Ok(Ok(runs)) => Html(index_html(&store.display().to_string(), &runs)).into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn run_file(
    State(store): State<Arc<PathBuf>>,
    UrlPath((test, run, file)): UrlPath<(String, String, String)>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such run file").into_response();
    let parts: Vec<&str> = [test.as_str(), run.as_str()]
        .into_iter()
        .chain(file.split('/'))
        .collect();
    if !parts.iter().all(|p| safe_component(p)) {
        return not_found();
    }
    let path = parts.iter().fold(store.as_ref().clone(), |p, c| p.join(c));
    if !inside(&store, &path) {
        return not_found();
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response(),
        Err(_) => not_found(),
    }
}

/// A path component that stays where it is: no `..`, no hidden files, no separators.
fn safe_component(part: &str) -> bool {
    !part.is_empty() && !part.starts_with('.') && !part.contains('\\') && !part.contains('\0')
}

/// Whether `path` resolves (links followed) to somewhere under `store`.
fn inside(store: &Path, path: &Path) -> bool {
    match (store.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(p)) => p.starts_with(root),
        _ => false,
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("xml") => "application/xml",
        _ => "text/plain; charset=utf-8",
    }
}
