//! The map of Mali drawn by the server as SVG, from the simplified display boundaries: no
//! tile server, no script needed. The same projection turns a click on the map (an
//! `<input type="image">`, which works without JavaScript) back into a latitude and longitude.
//! Free of web and database types.

use std::fmt::Write;
use std::path::Path;

use geo::{BoundingRect, CoordsIter, MultiPolygon};

/// The map's width in CSS pixels. The image is shown at exactly this size so that the click
/// coordinates a browser sends without JavaScript map back to the right place.
pub const WIDTH_PX: f64 = 300.0;
/// Drawing units per CSS pixel: integer coordinates at this density keep the file small.
const UNITS_PER_PX: f64 = 2.0;
const MARGIN_PX: f64 = 4.0;

/// Equirectangular projection scaled by cos(15°), Mali's middle latitude.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    min_lon: f64,
    max_lat: f64,
    /// CSS pixels per degree of latitude.
    scale: f64,
    kx: f64,
    pub height_px: f64,
}

impl Projection {
    fn fit(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Projection {
        let kx = 15f64.to_radians().cos();
        let scale = (WIDTH_PX - 2.0 * MARGIN_PX) / ((max_lon - min_lon) * kx);
        let height_px = (max_lat - min_lat) * scale + 2.0 * MARGIN_PX;
        Projection { min_lon, max_lat, scale, kx, height_px: height_px.ceil() }
    }

    /// The parameters a script needs to do the same conversion in the browser:
    /// (min_lon, max_lat, pixels per degree of latitude, cos factor, margin).
    pub fn params(&self) -> (f64, f64, f64, f64, f64) {
        (self.min_lon, self.max_lat, self.scale, self.kx, MARGIN_PX)
    }

    /// Longitude/latitude to CSS pixels.
    pub fn to_px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            MARGIN_PX + (lon - self.min_lon) * self.kx * self.scale,
            MARGIN_PX + (self.max_lat - lat) * self.scale,
        )
    }

    /// CSS pixels (as an image click reports them) to (lat, lon).
    pub fn to_lat_lon(&self, x: f64, y: f64) -> (f64, f64) {
        let lon = self.min_lon + (x - MARGIN_PX) / (self.kx * self.scale);
        let lat = self.max_lat - (y - MARGIN_PX) / self.scale;
        ((lat * 1e5).round() / 1e5, (lon * 1e5).round() / 1e5)
    }
}

pub struct MapSvg {
    pub projection: Projection,
    pub svg: String,
}

/// Reads `regions_display.geojson` and draws the regions with their names.
pub fn render(path: &Path) -> Result<MapSvg, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(format!("{}: expected a FeatureCollection", path.display()));
    };
    let mut shapes = vec![];
    for f in &fc.features {
        let name = f.property("name").and_then(|v| v.as_str()).unwrap_or("").to_string();
        let label = f
            .property("label")
            .and_then(|v| v.as_array())
            .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
        let Some(g) = f.geometry.clone() else { continue };
        let g: geo::Geometry<f64> = g.try_into().map_err(|e| format!("{}: {e}", path.display()))?;
        let m = match g {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => continue,
        };
        shapes.push((name, label, m));
    }
    let all = MultiPolygon(shapes.iter().flat_map(|s| s.2 .0.clone()).collect());
    let bb = all.bounding_rect().ok_or("the display file is empty")?;
    let proj = Projection::fit(bb.min().x, bb.min().y, bb.max().x, bb.max().y);
    let (w, h) = (WIDTH_PX * UNITS_PER_PX, proj.height_px * UNITS_PER_PX);
    let mut svg = String::with_capacity(20_000);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX}" height="{}" viewBox="0 0 {w} {h}"><g fill="#e8efe6" stroke="#5b6b58" stroke-width="2" stroke-linejoin="round">"##,
        proj.height_px
    );
    for (name, _, m) in &shapes {
        let _ = write!(svg, "<path d=\"");
        for poly in &m.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut last: Option<(i64, i64)> = None;
                for c in ring.coords_iter() {
                    let (x, y) = proj.to_px(c.x, c.y);
                    let p = ((x * UNITS_PER_PX).round() as i64, (y * UNITS_PER_PX).round() as i64);
                    match last {
                        None => {
                            let _ = write!(svg, "M{} {}", p.0, p.1);
                        }
                        Some(l) if l == p => continue,
                        Some(l) => {
                            let (dx, dy) = (p.0 - l.0, p.1 - l.1);
                            let sep = if dy < 0 { "" } else { " " };
                            let _ = write!(svg, "l{dx}{sep}{dy}");
                        }
                    }
                    last = Some(p);
                }
                svg.push('z');
            }
        }
        let _ = write!(svg, "\"><title>{}</title></path>", xml_escape(name));
    }
    svg.push_str(r##"</g><g font-family="sans-serif" font-size="20" fill="#233" text-anchor="middle">"##);
    for (name, label, _) in &shapes {
        if let Some((lon, lat)) = label {
            let (x, y) = proj.to_px(*lon, *lat);
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                (x * UNITS_PER_PX).round(),
                (y * UNITS_PER_PX).round(),
                xml_escape(name)
            );
        }
    }
    svg.push_str("</g></svg>");
    Ok(MapSvg { projection: proj, svg })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_is_small_and_clicks_map_back() {
        let m =
            render(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali/regions_display.geojson")))
                .unwrap();
        assert!(m.svg.starts_with("<svg"));
        assert!(m.svg.contains("Kidal"));
        assert!(m.svg.len() < 40_000, "{} bytes", m.svg.len());
        let (x, y) = m.projection.to_px(-8.0029, 12.6392);
        let (lat, lon) = m.projection.to_lat_lon(x, y);
        assert!((lat - 12.6392).abs() < 1e-3 && (lon + 8.0029).abs() < 1e-3);
        assert!(x > 0.0 && x < WIDTH_PX && y > 0.0 && y < m.projection.height_px);
    }
}
