//! What the storefront pages show, already localized and priced for one market.
//!
//! Plain serde types with no database in them, so the browser build can share them.

use crate::html::SafeHtml;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use crate::tax::TaxClass;
use serde::{Deserialize, Serialize};

/// Longer search queries are cut here (a search box is not a document).
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketView {
    pub code: String,
    pub name: String,
    pub currency: Currency,
    pub tax_inclusive: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceView {
    pub amount: Money,
    pub compare_at: Option<Money>,
    /// True when variants differ in price and this is the lowest ("from").
    pub from: bool,
}

/// The tax line under a price: "incl. 19 % VAT (€7.18)" or "plus 7.25 % tax".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxView {
    pub amount: Money,
    /// The rate as a percentage without trailing zeros: `19`, `5.5`.
    pub percent: String,
    /// Whether the price includes it (else it is added at checkout).
    pub included: bool,
    /// ISO 3166 alpha-2 of the country whose rate this is.
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub src: String,
    pub srcset: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub price: PriceView,
    pub image: Option<ImageView>,
    pub available: bool,
    /// The product's tax class: where a market's prices follow each country's rate, the
    /// card is priced for the shopper's country with it, as the product page is.
    pub tax_class: TaxClass,
}

/// The same page in another locale, for hreflang and the language switcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternate {
    pub locale: Locale,
    pub path: String,
}

/// Text shown in `shown` because the requested locale has no translation yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    /// The language tag of the text shown, e.g. `pt` or `en`.
    pub shown: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionSummary {
    pub slug: String,
    pub title: String,
    pub description_html: SafeHtml,
    pub image: Option<ImageView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturedCollection {
    pub collection: CollectionSummary,
    pub products: Vec<ProductCard>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomePage {
    pub featured: Vec<FeaturedCollection>,
    pub collections: Vec<CollectionSummary>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortOrder {
    #[default]
    Featured,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        Self::Featured,
        Self::PriceAsc,
        Self::PriceDesc,
        Self::Newest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Featured => "featured",
            Self::PriceAsc => "price-asc",
            Self::PriceDesc => "price-desc",
            Self::Newest => "newest",
        }
    }

    /// Unknown values fall back to the default order rather than failing the page.
    pub fn from_key(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionPage {
    pub collection: CollectionSummary,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub products: Vec<ProductCard>,
    pub sort: SortOrder,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub alternates: Vec<Alternate>,
    pub fallback: Option<Fallback>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    pub name: String,
    pub values: Vec<OptionValueView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionValueView {
    pub id: i32,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantView {
    pub id: i32,
    pub sku: String,
    pub barcode: Option<String>,
    /// Option value ids in option order.
    pub values: Vec<i32>,
    pub price: PriceView,
    /// The tax in (or on top of) `price` for the shopper's country; `None` where the store
    /// collects none there.
    pub tax: Option<TaxView>,
    pub available: i32,
    pub weight_grams: i32,
    /// Index into `ProductPage::images`.
    pub image: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breadcrumb {
    pub title: String,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub handle: String,
    pub slug: String,
    pub title: String,
    pub description_html: SafeHtml,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub vendor: String,
    pub product_type: String,
    pub options: Vec<OptionView>,
    pub variants: Vec<VariantView>,
    pub images: Vec<ImageView>,
    /// Index into `variants` of the variant shown first.
    pub selected: usize,
    pub collection: Option<Breadcrumb>,
    pub alternates: Vec<Alternate>,
    pub fallback: Option<Fallback>,
}

impl ProductPage {
    /// The variant matching the chosen option values, if any.
    pub fn variant_for(&self, values: &[i32]) -> Option<usize> {
        self.variants.iter().position(|v| v.values == values)
    }
}

/// A facet the shopper can narrow by. `param` names the URL parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FacetKind {
    Collection,
    Vendor,
    Kind,
    Tag,
    Option,
    Price,
    Stock,
}

impl FacetKind {
    pub fn param(self) -> &'static str {
        match self {
            Self::Collection => "collection",
            Self::Vendor => "vendor",
            Self::Kind => "type",
            Self::Tag => "tag",
            Self::Option => "option",
            Self::Price => "price",
            Self::Stock => "stock",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetGroup {
    pub kind: FacetKind,
    /// Localized name for option groups ("Colour"); other groups are named by the page.
    pub title: Option<String>,
    pub values: Vec<FacetValue>,
}

/// What a shopper is told about stock: the rule behind the badge, so every page and the
/// variant picker say the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockBadge {
    SoldOut,
    /// Five or fewer left: worth saying, it helps a shopper decide.
    FewLeft(i32),
    InStock,
}

impl StockBadge {
    pub const FEW_LEFT: i32 = 5;

    pub fn of(available: i32) -> Self {
        match available {
            n if n <= 0 => Self::SoldOut,
            n if n <= Self::FEW_LEFT => Self::FewLeft(n),
            _ => Self::InStock,
        }
    }
}
