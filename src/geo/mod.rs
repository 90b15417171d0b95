//! Location: region and cercle assignment by point-in-polygon, the gazetteer, the
//! server-drawn map, and the reference tables they fill. The boundary files come from the
//! folder `boundaries_dir` names (default `resources/mali`, with its licence and attribution).

mod admin;
mod boundaries;
mod gazetteer;
pub mod map;
pub mod model;
pub mod place_form;
mod routes;

use std::path::Path;

pub use boundaries::{Assignment, Boundaries, Cercle, Region};
pub use gazetteer::{distance_and_direction, normalize, Gazetteer, Hint, Place};
pub use routes::{routes, PlaceJson};

/// The admin pages of the gazetteer (`/staff/admin/places`).
pub fn admin_routes() -> Vec<rocket::Route> {
    admin::routes()
}

/// Everything about places, loaded once at start and shared; only the gazetteer's admin-added
/// places change afterwards (swapped whole, see [`Gazetteer::set_staff_places`]).
pub struct Geo {
    pub boundaries: Boundaries,
    pub gazetteer: Gazetteer,
    pub map: map::MapSvg,
    /// Pairs of cercles that share a border, computed on first use.
    adjacency: std::sync::OnceLock<std::collections::HashSet<(String, String)>>,
    catalog: std::sync::OnceLock<std::sync::Arc<crate::i18n::Catalog>>,
    /// The cercles drawn for the staff map, on first use.
    cercle_layer: std::sync::OnceLock<map::Layer>,
    region_layer: std::sync::OnceLock<map::Layer>,
    /// The regions' outlines as GeoJSON geometries, simplified, on first use.
    region_geometries: std::sync::OnceLock<Vec<(String, geojson::Geometry)>>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Geo({:?}, {:?})", self.boundaries, self.gazetteer)
    }
}

impl Geo {
    pub fn load(dir: &Path) -> Result<Geo, String> {
        Ok(Geo {
            boundaries: Boundaries::load(dir)?,
            gazetteer: Gazetteer::load(&dir.join("places.csv"))?,
            map: map::render(&dir.join("regions_display.geojson"))?,
            adjacency: std::sync::OnceLock::new(),
            catalog: std::sync::OnceLock::new(),
            cercle_layer: std::sync::OnceLock::new(),
            region_layer: std::sync::OnceLock::new(),
            region_geometries: std::sync::OnceLock::new(),
        })
    }

    /// Each region's code and outline as a GeoJSON geometry, simplified to about 1 km (0.01°)
    /// and rounded to 4 decimals (about 10 m): for the public GeoJSON of region figures.
    pub fn region_geometries(&self) -> &[(String, geojson::Geometry)] {
        self.region_geometries.get_or_init(|| {
            use geo::{MapCoords, Simplify};
            self.boundaries
                .regions
                .iter()
                .map(|r| {
                    let m = r.shape.simplify(0.01).map_coords(|c| {
                        geo::coord! {
                            x: (c.x * 1e4).round() / 1e4,
                            y: (c.y * 1e4).round() / 1e4,
                        }
                    });
                    (r.code.clone(), geojson::Geometry::new(geojson::GeometryValue::from(&m)))
                })
                .collect()
        })
    }

    /// The cercles' outlines in the map's projection, simplified to about 1 km (0.01°).
    pub fn cercle_layer(&self) -> &map::Layer {
        self.cercle_layer.get_or_init(|| {
            self.map.layer(
                self.boundaries.cercles.iter().map(|c| (c.code.as_str(), c.name.as_str(), &c.shape)),
                0.01,
            )
        })
    }

    /// The regions' outlines in the map's projection, simplified as the cercles'.
    pub fn region_layer(&self) -> &map::Layer {
        self.region_layer.get_or_init(|| {
            self.map.layer(
                self.boundaries.regions.iter().map(|r| (r.code.as_str(), r.name.as_str(), &r.shape)),
                0.01,
            )
        })
    }

    /// The map with a marker at a point, for staff pages (inline SVG, drawn here).
    pub fn map_with_marker(&self, lat: f64, lon: f64) -> String {
        let (x, y) = self.map.projection.to_px(lon, lat);
        let marker = format!(
            "<circle cx=\"{:.0}\" cy=\"{:.0}\" r=\"9\" fill=\"#c0392b\" stroke=\"#fff\" stroke-width=\"3\"/></svg>",
            x * 2.0,
            y * 2.0
        );
        self.map.svg.replacen("</svg>", &marker, 1)
    }

    /// A cercle and the cercles that share a border with it.
    pub fn with_neighbours(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_string()];
        out.extend(
            self.boundaries.cercles.iter().filter(|c| self.adjacent(code, &c.code)).map(|c| c.code.clone()),
        );
        out
    }

    /// The cercles where duplicate candidates of an incident are looked for: its cercle and
    /// its neighbours (for candidates known by cercle only), and, when it has a point, every
    /// cercle that may hold a point within `km` of it, whatever the distance configured.
    pub fn candidate_cercles(&self, cercle: Option<&str>, point: Option<(f64, f64)>, km: f64) -> Vec<String> {
        let mut out = cercle.map(|c| self.with_neighbours(c)).unwrap_or_default();
        if let Some((lat, lon)) = point {
            out.extend(self.boundaries.cercles_near(lat, lon, km));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether two cercles share a border.
    pub fn adjacent(&self, a: &str, b: &str) -> bool {
        self.adjacency
            .get_or_init(|| self.boundaries.adjacent_pairs())
            .contains(&(a.to_string(), b.to_string()))
    }

    /// A region's name in `lang`: the Fluent key `region-<code>`, else the boundary file's
    /// (French) name.
    pub fn region_name(&self, code: &str, lang: &str) -> Option<String> {
        let r = self.boundaries.region(code)?;
        Some(match self.catalog.get() {
            Some(c) => c.message_or(lang, &crate::i18n::label_key("region", code), &r.name),
            None => r.name.clone(),
        })
    }

    /// The translations region names are read from (set once, when the web server is built).
    pub fn set_catalog(&self, catalog: std::sync::Arc<crate::i18n::Catalog>) {
        let _ = self.catalog.set(catalog);
    }

    pub fn cercle_name(&self, code: &str) -> Option<String> {
        self.boundaries.cercle(code).map(|c| c.name.clone())
    }

    /// A place search, each place with the words that tell it from a twin of the same name in
    /// the same cercle ("12 km NE de Bankass"), in `lang`.
    pub fn search_with_hints(
        &self,
        catalog: &crate::i18n::Catalog,
        lang: &str,
        query: &str,
        limit: usize,
    ) -> Vec<(Place, Option<String>)> {
        let found = self.gazetteer.search(query, limit);
        let hints = self.gazetteer.hints(&found);
        found.into_iter().zip(hints).map(|(p, h)| (p, h.map(|h| hint_text(catalog, lang, &h)))).collect()
    }
}

/// A [`Hint`] in words of `lang`.
pub fn hint_text(catalog: &crate::i18n::Catalog, lang: &str, hint: &Hint) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    match hint {
        Hint::From { km, compass, place } => {
            args.set("km", km.to_string());
            args.set("compass", catalog.message(lang, &format!("compass-{compass}"), None));
            args.set("place", place.clone());
            // French elides before a vowel ("d'Ansongo"); other languages may ignore it.
            let vowel = normalize(place).starts_with(['a', 'e', 'i', 'o', 'u', 'y']);
            args.set("vowel", if vowel { "yes" } else { "no" });
            catalog.message(lang, "place-hint-from", Some(&args))
        }
        Hint::Coordinates { lat, lon } => {
            args.set("lat", lat.clone());
            args.set("lon", lon.clone());
            catalog.message(lang, "place-hint-coordinates", Some(&args))
        }
    }
}
