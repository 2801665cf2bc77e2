fn main() {
    leptos::mount::mount_to_body(sessiondeck::app::App);
}

/// The allocator, counting the bytes it has handed out and not had back:
/// the benchmark reads them (`heap_live_bytes`) beside the wasm memory's
/// size, which never shrinks and so shows the peak, not what is held.
struct Counted;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The most [`LIVE`] has been: what a load needed at its peak.
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, std::sync::atomic::Ordering::Relaxed) + by;
    PEAK.fetch_max(live, std::sync::atomic::Ordering::Relaxed);
}

// SAFETY: every call is passed to the system allocator unchanged; only a
// counter is kept beside it.
unsafe impl std::alloc::GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        grew(layout.size());
        std::alloc::System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        grew(size);
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.realloc(ptr, layout, size)
    }
}

#[global_allocator]
static ALLOCATOR: Counted = Counted;

/// Bytes allocated and not freed now (for the benchmark).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn heap_live_bytes() -> f64 {
    LIVE.load(std::sync::atomic::Ordering::Relaxed) as f64
}

/// The most bytes allocated at once so far (for the benchmark).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn heap_peak_bytes() -> f64 {
    PEAK.load(std::sync::atomic::Ordering::Relaxed) as f64
}
