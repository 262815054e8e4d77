use spin_sdk::http::{IntoResponse, Request, Response};
use spin_sdk::http_component;

/// Answers every request with a greeting.
#[http_component]
fn handle_hello(_req: Request) -> anyhow::Result<impl IntoResponse> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body("hello from spin\n")
        .build())
}
