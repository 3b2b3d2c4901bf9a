//! Product images: stored once per content hash as WebP at a few widths, for `srcset`.
//!
//! The demo store draws its pictures here with the `image` crate, so a fresh install needs
//! no downloads; uploads (admin, later) will go through the same `store`.

use image::imageops::FilterType;
use image::{ImageEncoder, Rgb, RgbImage};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Widths written for every image, smallest first. Cards use 400, the product page 800.
pub const WIDTHS: [u32; 2] = [400, 800];

pub fn url(file: &str, width: u32) -> String {
    format!("/media/{file}-{width}.webp")
}

pub fn srcset(file: &str) -> String {
    WIDTHS
        .iter()
        .map(|w| format!("{} {w}w", url(file, *w)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a page shows a stored image: the largest width as `src`, all widths in `srcset`.
pub fn view(file: &str, width: i32, height: i32, alt: &str) -> crate::catalog::view::ImageView {
    crate::catalog::view::ImageView {
        src: url(file, WIDTHS[WIDTHS.len() - 1]),
        srcset: srcset(file),
        width,
        height,
        alt: alt.to_owned(),
    }
}

/// A stable file name for a picture known by a key (e.g. how it was drawn), so it is made once.
pub fn name_for(key: &str) -> String {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Writes the picture `name` at every width under `dir`, drawing it only if a width is
/// missing. Names never change meaning, so URLs can be cached forever.
pub fn store(
    dir: &Path,
    name: &str,
    draw: impl FnOnce() -> RgbImage,
) -> std::io::Result<(u32, u32)> {
    std::fs::create_dir_all(dir)?;
    let missing: Vec<u32> = WIDTHS
        .into_iter()
        .filter(|w| !dir.join(format!("{name}-{w}.webp")).exists())
        .collect();
    let img = if missing.is_empty() {
        None
    } else {
        Some(draw())
    };
    let full = WIDTHS[WIDTHS.len() - 1];
    let Some(img) = img else {
        return Ok((full, full));
    };
    for width in missing {
        let height = img.height() * width / img.width().max(1);
        let scaled = if width == img.width() {
            img.clone()
        } else {
            image::imageops::resize(&img, width, height, FilterType::Triangle)
        };
        let mut bytes = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)
            .write_image(
                scaled.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .map_err(std::io::Error::other)?;
        // Write then rename, so a crash never leaves half an image behind a cached URL.
        // Unique per call: two requests or tests may draw the same picture at once.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}-{width}.{}.{n}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, dir.join(format!("{name}-{width}.webp")))?;
    }
    Ok((img.width(), img.height()))
}

/// The outline drawn for a kind of product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Mug,
    Teapot,
    Bowl,
    Vase,
    Lamp,
    Tote,
    Notebook,
    Scarf,
    Candle,
    Cushion,
}

/// A flat illustration: a product silhouette in `colour` on a `background`.
pub fn draw(shape: Shape, background: [u8; 3], colour: [u8; 3]) -> RgbImage {
    const S: u32 = 800;
    let bg = Rgb(background);
    let fg = Rgb(colour);
    let shade = Rgb(colour.map(|c| c.saturating_sub(40)));
    let mut img = RgbImage::from_pixel(S, S, bg);
    let mut paint = |inside: &dyn Fn(f32, f32) -> bool, px: Rgb<u8>| {
        for (x, y, p) in img.enumerate_pixels_mut() {
            // Coordinates in [-1, 1], y pointing down.
            let (fx, fy) = (
                x as f32 / S as f32 * 2.0 - 1.0,
                y as f32 / S as f32 * 2.0 - 1.0,
            );
            if inside(fx, fy) {
                *p = px;
            }
        }
    };
    let ellipse = |cx: f32, cy: f32, rx: f32, ry: f32| {
        move |x: f32, y: f32| ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0
    };
    let rect = |x0: f32, y0: f32, x1: f32, y1: f32| {
        move |x: f32, y: f32| x >= x0 && x <= x1 && y >= y0 && y <= y1
    };
    let ring = |cx: f32, cy: f32, r0: f32, r1: f32| {
        move |x: f32, y: f32| {
            let d = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
            d >= r0 && d <= r1
        }
    };
    // A soft floor shadow under every product.
    paint(
        &ellipse(0.0, 0.62, 0.55, 0.07),
        Rgb(background.map(|c| c.saturating_sub(25))),
    );
    match shape {
        Shape::Mug => {
            paint(&ring(0.38, 0.05, 0.14, 0.22), shade);
            paint(&rect(-0.38, -0.35, 0.38, 0.6), fg);
        }
        Shape::Teapot => {
            paint(
                &|x, y| {
                    y > -0.05
                        && y < 0.25
                        && (x - 0.45) > -0.25
                        && (y - 0.35) < -(x - 0.45) * 0.6
                        && x < 0.75
                },
                shade,
            );
            paint(&ring(-0.5, 0.15, 0.12, 0.2), shade);
            paint(&ellipse(0.0, 0.2, 0.5, 0.42), fg);
            paint(&ellipse(0.0, -0.28, 0.08, 0.06), shade);
        }
        Shape::Bowl => {
            paint(&|x, y| y >= 0.0 && ellipse(0.0, 0.0, 0.6, 0.55)(x, y), fg);
            paint(&ellipse(0.0, 0.0, 0.6, 0.1), shade);
        }
        Shape::Vase => {
            paint(&ellipse(0.0, 0.25, 0.36, 0.38), fg);
            paint(&rect(-0.12, -0.55, 0.12, 0.0), fg);
            paint(&ellipse(0.0, -0.55, 0.17, 0.05), shade);
        }
        Shape::Lamp => {
            paint(&rect(-0.03, -0.1, 0.03, 0.55), shade);
            paint(&ellipse(0.0, 0.58, 0.25, 0.05), shade);
            paint(
                &|x, y| (-0.55..=-0.05).contains(&y) && x.abs() <= 0.2 + (y + 0.55) * 0.5,
                fg,
            );
        }
        Shape::Tote => {
            paint(&ring(0.0, -0.25, 0.2, 0.26), shade);
            paint(&rect(-0.42, -0.2, 0.42, 0.6), fg);
        }
        Shape::Notebook => {
            paint(&rect(-0.35, -0.5, 0.35, 0.6), fg);
            paint(&rect(0.2, -0.5, 0.25, 0.6), shade);
        }
        Shape::Scarf => {
            paint(
                &|x, y| (x + y).abs() < 0.25 && x.abs() < 0.6 && y.abs() < 0.6,
                fg,
            );
            paint(
                &|x, y| (x + y).abs() < 0.25 && (x - y).abs() < 0.05 && x.abs() < 0.6,
                shade,
            );
        }
        Shape::Candle => {
            paint(&rect(-0.25, -0.2, 0.25, 0.6), fg);
            paint(&ellipse(0.0, -0.38, 0.06, 0.13), Rgb([240, 170, 40]));
        }
        Shape::Cushion => {
            paint(
                &|x, y| x.abs().powf(3.0) + y.abs().powf(3.0) <= 0.55_f32.powf(3.0),
                fg,
            );
            paint(&ellipse(0.0, 0.0, 0.05, 0.05), shade);
        }
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_each_width_once() {
        let dir = std::env::temp_dir().join(format!("tw-media-{}", std::process::id()));
        let a = name_for("mug/test");
        assert_eq!(a, name_for("mug/test"));
        assert_eq!(
            store(&dir, &a, || draw(
                Shape::Mug,
                [240, 236, 228],
                [40, 110, 90]
            ))
            .unwrap(),
            (800, 800)
        );
        // Present files are not drawn again.
        store(&dir, &a, || panic!("drawn twice")).unwrap();
        for w in WIDTHS {
            let bytes = std::fs::read(dir.join(format!("{a}-{w}.webp"))).unwrap();
            assert_eq!(&bytes[..4], b"RIFF");
        }
        assert_eq!(
            srcset("x"),
            "/media/x-400.webp 400w, /media/x-800.webp 800w"
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
