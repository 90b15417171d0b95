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
    /// Each region's code and outline (`d` of its path), for the shaded map.
    regions: Vec<(String, String, String)>,
    size: (f64, f64),
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
        let code = f.property("id").and_then(|v| v.as_str()).unwrap_or("").to_string();
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
        shapes.push((name, label, m, code));
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
    let mut regions = vec![];
    for (name, _, m, code) in &shapes {
        let d = path_d(&proj, m);
        let _ = write!(svg, "<path d=\"{d}\"><title>{}</title></path>", xml_escape(name));
        regions.push((code.clone(), name.clone(), d));
    }
    svg.push_str(r##"</g><g font-family="sans-serif" font-size="20" fill="#233" text-anchor="middle">"##);
    for (name, label, _, _) in &shapes {
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
    Ok(MapSvg { projection: proj, svg, regions, size: (w, h) })
}

/// The `d` of an SVG path drawing `m` in the map's projection (drawing units, relative moves).
fn path_d(proj: &Projection, m: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in &m.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut last: Option<(i64, i64)> = None;
            for c in ring.coords_iter() {
                let (x, y) = proj.to_px(c.x, c.y);
                let p = ((x * UNITS_PER_PX).round() as i64, (y * UNITS_PER_PX).round() as i64);
                match last {
                    None => {
                        let _ = write!(d, "M{} {}", p.0, p.1);
                    }
                    Some(l) if l == p => continue,
                    Some(l) => {
                        let (dx, dy) = (p.0 - l.0, p.1 - l.1);
                        let sep = if dy < 0 { "" } else { " " };
                        let _ = write!(d, "l{dx}{sep}{dy}");
                    }
                }
                last = Some(p);
            }
            d.push('z');
        }
    }
    d
}

/// Outlines drawn in the map's projection, simplified for display: (code, name, `d`).
pub struct Layer(pub Vec<(String, String, String)>);

/// Which areas a staff map shades: the attribute naming each area in the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Region,
    Cercle,
}

impl Level {
    fn attribute(self) -> &'static str {
        match self {
            Level::Region => "data-region",
            Level::Cercle => "data-cercle",
        }
    }
}

/// An area of the staff map: its code, shading class, title and the page it links to.
pub struct Area {
    pub code: String,
    pub class: &'static str,
    pub title: String,
    pub href: Option<String>,
}

/// A hotspot as drawn: centre, radius in km, and its label.
pub struct Ring {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    pub label: String,
}

impl MapSvg {
    /// `shapes` (code, name, outline) drawn in this map's projection, each simplified
    /// (Ramer–Douglas–Peucker, `tolerance_deg` degrees) so the staff map stays light.
    pub fn layer<'a>(
        &self,
        shapes: impl IntoIterator<Item = (&'a str, &'a str, &'a MultiPolygon<f64>)>,
        tolerance_deg: f64,
    ) -> Layer {
        use geo::Simplify;
        Layer(
            shapes
                .into_iter()
                .map(|(code, name, m)| {
                    (code.to_string(), name.to_string(), path_d(&self.projection, &m.simplify(tolerance_deg)))
                })
                .collect(),
        )
    }

    /// The staff map: `layer`'s areas shaded by class (each linking to its page), the region
    /// outlines over them, events as dots and hotspots as rings, and the legend under it. Every
    /// text is escaped here.
    #[allow(clippy::too_many_arguments)]
    pub fn staff_map(
        &self,
        level: Level,
        layer: &Layer,
        areas: &[Area],
        points: &[(f64, f64)],
        rings: &[Ring],
        legend: &[(&str, String)],
        title: &str,
    ) -> String {
        let (w, h) = self.size;
        let legend_h = LEGEND_ROW * legend.len() as f64 + 20.0;
        let mut svg = String::with_capacity(120_000);
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {}" role="img" class="staffmap"><title>{}</title><g stroke="#9aa79a" stroke-width="0.8" stroke-linejoin="round">"##,
            h + legend_h,
            xml_escape(title)
        );
        for (code, name, d) in &layer.0 {
            let found = areas.iter().find(|a| a.code == *code);
            let fill = found.map(|a| shade_fill(a.class)).unwrap_or("#ffffff");
            let class = found.map(|a| a.class).unwrap_or("none");
            let tip = found.map(|a| a.title.as_str()).unwrap_or(name);
            let path = format!(
                "<path {}=\"{}\" data-class=\"{class}\" fill=\"{fill}\" d=\"{d}\"><title>{}</title></path>",
                level.attribute(),
                xml_escape(code),
                xml_escape(tip)
            );
            match found.and_then(|a| a.href.as_deref()) {
                Some(href) => {
                    let _ = write!(svg, "<a href=\"{}\">{path}</a>", xml_escape(href));
                }
                None => svg.push_str(&path),
            }
        }
        svg.push_str(r##"</g><g fill="none" stroke="#3d4a3b" stroke-width="2.2" stroke-linejoin="round">"##);
        for (_, _, d) in &self.regions {
            let _ = write!(svg, "<path d=\"{d}\"/>");
        }
        svg.push_str(r##"</g><g fill="#1f4e79" fill-opacity="0.7">"##);
        for (lat, lon) in points {
            let (x, y) = self.projection.to_px(*lon, *lat);
            let _ = write!(
                svg,
                "<circle cx=\"{:.0}\" cy=\"{:.0}\" r=\"2.5\"/>",
                x * UNITS_PER_PX,
                y * UNITS_PER_PX
            );
        }
        // A kilometre in drawing units: the projection's pixels per degree of latitude.
        let per_km = self.projection.scale * UNITS_PER_PX / 111.2;
        svg.push_str(r##"</g><g fill="#c0392b" fill-opacity="0.25" stroke="#c0392b" stroke-width="2.5">"##);
        for r in rings {
            let (x, y) = self.projection.to_px(r.lon, r.lat);
            let _ = write!(
                svg,
                "<circle cx=\"{:.0}\" cy=\"{:.0}\" r=\"{:.1}\"><title>{}</title></circle>",
                x * UNITS_PER_PX,
                y * UNITS_PER_PX,
                (r.radius_km * per_km).max(7.0),
                xml_escape(&r.label)
            );
        }
        svg.push_str("</g>");
        draw_legend(&mut svg, h, legend);
        svg.push_str("</svg>");
        svg
    }
}

/// The height of a legend row, in drawing units.
const LEGEND_ROW: f64 = 40.0;

/// The legend (class, words) drawn under a map whose drawing ends at `h`: a swatch of each
/// class's fill and its words, escaped here.
fn draw_legend(svg: &mut String, h: f64, legend: &[(&str, String)]) {
    svg.push_str(r##"<g font-family="sans-serif" font-size="22" fill="#233">"##);
    for (i, (class, words)) in legend.iter().enumerate() {
        let y = h + 10.0 + LEGEND_ROW * i as f64;
        let _ = write!(
            svg,
            "<rect x=\"10\" y=\"{y}\" width=\"44\" height=\"30\" fill=\"{}\" stroke=\"#5b6b58\"/><text x=\"66\" y=\"{}\">{}</text>",
            shade_fill(class),
            y + 23.0,
            xml_escape(words)
        );
    }
    svg.push_str("</g>");
}

/// The closer view offered after a tap: how much it enlarges, the side of the window it shows
/// (CSS pixels of the whole map) and the step of the grid its windows are centred on.
pub const ZOOM: f64 = 5.0;
pub const ZOOM_WINDOW_PX: f64 = WIDTH_PX / ZOOM;
const ZOOM_STEP_PX: f64 = ZOOM_WINDOW_PX / 2.0;

/// The grid cell of a point of the map: coarse (≈ 180 km), so the address of the closer view
/// says little of where the person tapped.
pub fn zoom_cell(x: f64, y: f64) -> (i32, i32) {
    ((x / ZOOM_STEP_PX).floor() as i32, (y / ZOOM_STEP_PX).floor() as i32)
}

/// The top-left corner (CSS pixels of the whole map) of the closer view of a cell: the cell
/// in its middle, so a tap in it is at least a quarter window from each edge.
pub fn zoom_origin(cell: (i32, i32)) -> (f64, f64) {
    (
        (f64::from(cell.0) + 0.5) * ZOOM_STEP_PX - ZOOM_WINDOW_PX / 2.0,
        (f64::from(cell.1) + 0.5) * ZOOM_STEP_PX - ZOOM_WINDOW_PX / 2.0,
    )
}

/// A click on the closer view (its own CSS pixels) to CSS pixels of the whole map.
pub fn from_zoom(cell: (i32, i32), x: f64, y: f64) -> (f64, f64) {
    let (x0, y0) = zoom_origin(cell);
    (x0 + x / ZOOM, y0 + y / ZOOM)
}

/// The fill of a shading class of the public map (`stats::figures::shade_class`): a light
/// colour for 0, deepening reds for the count classes, grey hatching for a withheld count.
pub fn shade_fill(class: &str) -> &'static str {
    match class {
        "zero" => "#f4f1ea",
        "c1" => "#f3d2b8",
        "c2" => "#e09a72",
        "c3" => "#bf5a3a",
        "c4" => "#7a2414",
        _ => "url(#withheld)",
    }
}

impl MapSvg {
    /// The regions shaded by class, each with its title (`shades`: region code, class, title),
    /// and the legend (class, words) drawn under the map. A region not in `shades` is left
    /// white. Every text is escaped here.
    pub fn shaded(
        &self,
        shades: &[(String, &str, String)],
        legend: &[(&str, String)],
        title: &str,
    ) -> String {
        let (w, h) = self.size;
        let legend_h = LEGEND_ROW * legend.len() as f64 + 20.0;
        let mut svg = String::with_capacity(20_000);
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX}" height="{:.0}" viewBox="0 0 {w} {}" role="img" class="choropleth"><title>{}</title><defs><pattern id="withheld" width="12" height="12" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="12" height="12" fill="#d6d6d6"/><line x1="0" y1="0" x2="0" y2="12" stroke="#888" stroke-width="5"/></pattern></defs><g stroke="#5b6b58" stroke-width="2" stroke-linejoin="round">"##,
            (h + legend_h) / UNITS_PER_PX,
            h + legend_h,
            xml_escape(title)
        );
        for (code, name, d) in &self.regions {
            let found = shades.iter().find(|s| s.0 == *code);
            let fill = found.map(|s| shade_fill(s.1)).unwrap_or("#ffffff");
            let class = found.map(|s| s.1).unwrap_or("none");
            let tip = found.map(|s| s.2.as_str()).unwrap_or(name);
            let _ = write!(
                svg,
                "<path data-region=\"{}\" data-class=\"{class}\" fill=\"{fill}\" d=\"{d}\"><title>{}</title></path>",
                xml_escape(code),
                xml_escape(tip)
            );
        }
        svg.push_str("</g>");
        draw_legend(&mut svg, h, legend);
        svg.push_str("</svg>");
        svg
    }

    /// The closer view of a cell: the same drawing with a smaller window, thinner lines, and
    /// the named places (`(name, lon, lat)`) that fall in it.
    pub fn zoomed(&self, cell: (i32, i32), places: &[(&str, f64, f64)]) -> String {
        let (x0, y0) = zoom_origin(cell);
        let side = WIDTH_PX;
        let (u, w) = (x0 * UNITS_PER_PX, ZOOM_WINDOW_PX * UNITS_PER_PX);
        let v = y0 * UNITS_PER_PX;
        let head_end = self.svg.find('>').unwrap_or(0);
        let mut out = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" viewBox="{u} {v} {w} {w}"><rect x="{u}" y="{v}" width="{w}" height="{w}" fill="#dfe9f0"/>"##
        );
        out.push_str(
            &self.svg[head_end + 1..]
                .replace("stroke-width=\"2\"", "stroke-width=\"0.6\"")
                .replace("font-size=\"20\" fill=\"#233\"", "font-size=\"6\" fill=\"#8a968a\"")
                .replace("</svg>", ""),
        );
        out.push_str("<g fill=\"#333\" font-size=\"3.2\" font-family=\"sans-serif\">");
        for (name, lon, lat) in places {
            let (x, y) = self.projection.to_px(*lon, *lat);
            if x < x0 || y < y0 || x > x0 + ZOOM_WINDOW_PX || y > y0 + ZOOM_WINDOW_PX {
                continue;
            }
            let (x, y) = ((x * UNITS_PER_PX * 10.0).round() / 10.0, (y * UNITS_PER_PX * 10.0).round() / 10.0);
            let _ = write!(
                out,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"0.7\"/><text x=\"{}\" y=\"{}\">{}</text>",
                x + 1.2,
                y + 1.1,
                xml_escape(name)
            );
        }
        out.push_str("</g></svg>");
        out
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tap_on_the_closer_view_lands_where_it_was_in_the_whole_map() {
        for (x, y) in [(10.0, 10.0), (150.3, 97.7), (299.0, 250.0)] {
            let cell = zoom_cell(x, y);
            let (x0, y0) = zoom_origin(cell);
            // The tapped point is inside its window, at least a quarter window from each edge.
            assert!(
                x - x0 >= ZOOM_WINDOW_PX / 4.0 - 1e-9
                    && x0 + ZOOM_WINDOW_PX - x >= ZOOM_WINDOW_PX / 4.0 - 1e-9
            );
            assert!(y - y0 >= ZOOM_WINDOW_PX / 4.0 - 1e-9);
            let (zx, zy) = ((x - x0) * ZOOM, (y - y0) * ZOOM);
            let (bx, by) = from_zoom(cell, zx, zy);
            assert!((bx - x).abs() < 1e-9 && (by - y).abs() < 1e-9);
        }
    }

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

    #[test]
    fn the_shaded_map_fills_each_region_by_its_class_and_hatches_withheld_ones() {
        let m =
            render(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali/regions_display.geojson")))
                .unwrap();
        assert_eq!(m.regions.len(), 9, "eight regions and Bamako");
        let shades = vec![
            ("ML-5".to_string(), "c3", "Mopti <b> : 120".to_string()),
            ("ML-8".to_string(), "suppressed", "Kidal : —".to_string()),
            ("ML-1".to_string(), "zero", "Kayes : 0".to_string()),
        ];
        let svg = m.shaded(&shades, &[("c3", "100–499".into()), ("suppressed", "withheld".into())], "Map");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r##"data-region="ML-5" data-class="c3" fill="#bf5a3a""##), "{svg}");
        assert!(svg.contains(r##"data-region="ML-8" data-class="suppressed" fill="url(#withheld)""##));
        assert!(svg.contains(r##"data-region="ML-1" data-class="zero" fill="#f4f1ea""##));
        assert!(
            svg.contains(r##"data-region="ML-2" data-class="none" fill="#ffffff""##),
            "a region not given"
        );
        assert!(svg.contains("Mopti &lt;b&gt; : 120") && !svg.contains("<b>"));
        assert!(svg.contains("<pattern id=\"withheld\""));
        assert_eq!(svg.matches("<rect x=\"10\"").count(), 2, "one legend swatch per class");
    }
}
