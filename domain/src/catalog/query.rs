use super::view::*;
use super::{collection_path, product_path};
use crate::entity::{
    collection, collection_product, collection_translation, option_value, price_override, product,
    product_image, product_option, product_translation, stock_level, variant,
};
use crate::error::{DomainError, Result};
use crate::html::SafeHtml;
use crate::locale::Locale;
use crate::market::{Localized, Market, Markets};
use crate::media;
use crate::money::{Currency, Money};
use crate::price_book::{PriceBook, Quote};
use crate::search::{CardData, CardImage, FacetLabels, SearchRecord};
use crate::tax::TaxClass;
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Where collection pages get their order by price from: the search index keeps every
/// product's price per market, as the price book makes it, so a collection sorts exactly
/// as search does. Set once the index is open; until then (and in tests without an index)
/// the database orders by base price.
pub trait PriceOrder: Send + Sync {
    /// One page of a collection's active products by their price in `market`, and how many
    /// there are in all.
    fn by_price(
        &self,
        collection: &str,
        market: &str,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i32>, u64)>;
}

/// Product status as stored. Only `active` products are visible to shoppers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }
}

pub const PAGE_SIZE: u64 = 24;
/// No collection is browsed this deep; larger page numbers are not found (and never reach SQL).
pub const MAX_PAGE: u64 = 10_000;
const FEATURED_PER_COLLECTION: u64 = 8;

/// A page found under a non-canonical URL: the shopper is sent to `path` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    Found(T),
    Redirect(String),
}

/// Rows of a `*_translation` table, so one fallback rule serves products and collections.
pub(crate) trait Translation {
    fn owner(&self) -> i32;
    fn locale(&self) -> &str;
    fn slug(&self) -> &str;
}

impl Translation for product_translation::Model {
    fn owner(&self) -> i32 {
        self.product_id
    }
    fn locale(&self) -> &str {
        &self.locale
    }
    fn slug(&self) -> &str {
        &self.slug
    }
}

impl Translation for collection_translation::Model {
    fn owner(&self) -> i32 {
        self.collection_id
    }
    fn locale(&self) -> &str {
        &self.locale
    }
    fn slug(&self) -> &str {
        &self.slug
    }
}

/// The row to show for `locale`: along its fallback chain, then any row at all.
pub(crate) fn pick<T: Translation>(rows: &[T], locale: Locale) -> Option<&T> {
    locale
        .fallback_chain()
        .into_iter()
        .find_map(|tag| rows.iter().find(|r| r.locale() == tag))
        .or_else(|| rows.first())
}

fn fallback_of<T: Translation>(row: &T, locale: Locale) -> Option<Fallback> {
    (row.locale() != locale.code()).then(|| Fallback {
        shown: row.locale().to_owned(),
    })
}

fn alternates<T: Translation>(rows: &[T], path: fn(Locale, &str) -> String) -> Vec<Alternate> {
    Locale::ALL
        .into_iter()
        .filter_map(|l| {
            pick(rows, l).map(|r| Alternate {
                locale: l,
                path: path(l, r.slug()),
            })
        })
        .collect()
}

pub(crate) fn group_by_owner<T: Translation>(rows: Vec<T>) -> HashMap<i32, Vec<T>> {
    let mut map: HashMap<i32, Vec<T>> = HashMap::new();
    for r in rows {
        map.entry(r.owner()).or_default().push(r);
    }
    map
}

/// `(title, path)` of each collection, for the header.
pub type NavLinks = Arc<Vec<(String, String)>>;

/// Prices, stock and text for the storefront, read from the database.
#[derive(Clone)]
pub struct Catalog {
    db: DatabaseConnection,
    markets: Arc<Markets>,
    base_currency: Currency,
    book: Arc<PriceBook>,
    price_order: Arc<OnceLock<Arc<dyn PriceOrder>>>,
    /// Navigation links per locale: on every page, and they change only when a merchant
    /// edits collections (which calls `forget_navigation`).
    navigation: Arc<RwLock<HashMap<Locale, NavLinks>>>,
}

impl Catalog {
    pub fn new(
        db: DatabaseConnection,
        markets: Markets,
        base_currency: Currency,
        book: PriceBook,
    ) -> Self {
        Self {
            db,
            markets: Arc::new(markets),
            base_currency,
            book: Arc::new(book),
            price_order: Arc::default(),
            navigation: Arc::default(),
        }
    }

    pub fn price_book(&self) -> &PriceBook {
        &self.book
    }

    /// Hands collection sorting by price to the search index (see `PriceOrder`).
    pub fn order_prices_with(&self, order: Arc<dyn PriceOrder>) {
        let _ = self.price_order.set(order);
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn base_currency(&self) -> Currency {
        self.base_currency
    }

    pub fn markets(&self) -> &Markets {
        &self.markets
    }

    pub fn market_views(&self, locale: Locale) -> Vec<MarketView> {
        self.markets
            .all()
            .iter()
            .map(|m| market_view(m, locale))
            .collect()
    }

    /// A unit price in `market` for a shopper in `country`, from the price book.
    fn quote(
        &self,
        market: &Market,
        country: &str,
        tax_class: TaxClass,
        base_minor: i64,
        fixed: Option<i64>,
    ) -> Result<Quote> {
        self.book
            .shown(
                market,
                country,
                tax_class,
                Money::new(base_minor, self.base_currency),
                fixed,
            )
            .map_err(|e| DomainError::Corrupt(format!("market {}: {e}", market.code)))
    }

    /// A variant's price as shown in `market` to a shopper in `country`, with the tax the
    /// price includes or adds.
    fn variant_price(
        &self,
        market: &Market,
        country: &str,
        tax_class: TaxClass,
        v: &variant::Model,
        o: Option<&price_override::Model>,
    ) -> Result<(PriceView, Quote)> {
        let price = |base, fixed| self.quote(market, country, tax_class, base, fixed);
        let quote = price(v.price_minor, o.map(|o| o.amount_minor))?;
        let amount = quote.unit;
        // A fixed price brings its own compare-at price (or none); a converted one converts
        // the variant's.
        let compare_at = match (o, v.compare_at_minor) {
            (Some(o), _) => o
                .compare_at_minor
                .map(|m| price(0, Some(m)))
                .transpose()?
                .map(|q| q.unit),
            (None, Some(base)) => Some(price(base, None)?.unit),
            (None, None) => None,
        }
        .filter(|c| c.minor > amount.minor);
        Ok((
            PriceView {
                amount,
                compare_at,
                from: false,
            },
            quote,
        ))
    }

    /// What a card shows as its price in a market: the lowest variant price, marked "from"
    /// when variants differ. `None` for a product without variants.
    fn card_price<'a>(
        &self,
        market: &Market,
        variants: impl IntoIterator<Item = &'a variant::Model>,
        override_of: impl Fn(&variant::Model) -> Option<&'a price_override::Model>,
    ) -> Result<Option<PriceView>> {
        // Cards are the same for every shopper of a market (they are kept in the search
        // index per market): priced for the market's home country.
        let mut prices = Vec::new();
        for v in variants {
            prices.push(
                self.variant_price(
                    market,
                    &market.home_country,
                    TaxClass::Standard,
                    v,
                    override_of(v),
                )?
                .0,
            );
        }
        let Some(mut price) = prices.iter().min_by_key(|p| p.amount.minor).cloned() else {
            return Ok(None);
        };
        price.from = prices.iter().any(|p| p.amount != price.amount);
        Ok(Some(price))
    }

    async fn overrides(
        &self,
        market: &Market,
        variant_ids: &[i32],
    ) -> Result<HashMap<i32, price_override::Model>> {
        Ok(price_override::Entity::find()
            .filter(price_override::Column::MarketId.eq(market.id))
            .filter(price_override::Column::VariantId.is_in(variant_ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.variant_id, o))
            .collect())
    }

    /// Units available to sell per variant, over all warehouses.
    async fn available(&self, variant_ids: &[i32]) -> Result<HashMap<i32, i32>> {
        let mut map = HashMap::new();
        for s in stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.is_in(variant_ids.iter().copied()))
            .all(&self.db)
            .await?
        {
            *map.entry(s.variant_id).or_insert(0) += (s.on_hand - s.reserved).max(0);
        }
        Ok(map)
    }

    /// The first picture of each product that has one: what cards show.
    async fn first_images(&self, ids: &[i32]) -> Result<HashMap<i32, product_image::Model>> {
        Ok(product_image::Entity::find()
            .filter(product_image::Column::ProductId.is_in(ids.iter().copied()))
            .filter(product_image::Column::Position.eq(0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|img| (img.product_id, img))
            .collect())
    }

    /// Cards for products, in the order of `ids`.
    /// `cards` priced for a shopper in `country` (see `PriceBook::card_for_country`).
    pub async fn cards_for(
        &self,
        ids: &[i32],
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<Vec<ProductCard>> {
        let mut cards = self.cards(ids, locale, market).await?;
        self.localize_cards(&mut cards, market, country)?;
        Ok(cards)
    }

    /// Prices cards made for a market's home country for a shopper in `country`.
    pub fn localize_cards(
        &self,
        cards: &mut [ProductCard],
        market: &Market,
        country: &str,
    ) -> Result<()> {
        for card in cards {
            card.price = self
                .book
                .card_for_country(market, country, card.tax_class, &card.price)
                .map_err(|e| DomainError::Corrupt(format!("market {}: {e}", market.code)))?;
        }
        Ok(())
    }

    /// Cards as kept in the search index: priced for each market's home country.
    pub async fn cards(
        &self,
        ids: &[i32],
        locale: Locale,
        market: &Market,
    ) -> Result<Vec<ProductCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let texts = group_by_owner(
            product_translation::Entity::find()
                .filter(product_translation::Column::ProductId.is_in(ids.iter().copied()))
                .all(&self.db)
                .await?,
        );
        let variants = variant::Entity::find()
            .filter(variant::Column::ProductId.is_in(ids.iter().copied()))
            .order_by_asc(variant::Column::Position)
            .all(&self.db)
            .await?;
        let variant_ids: Vec<i32> = variants.iter().map(|v| v.id).collect();
        let overrides = self.overrides(market, &variant_ids).await?;
        let stock = self.available(&variant_ids).await?;
        let images = self.first_images(ids).await?;
        let classes: HashMap<i32, String> = product::Entity::find()
            .filter(product::Column::Id.is_in(ids.iter().copied()))
            .select_only()
            .column(product::Column::Id)
            .column(product::Column::TaxClass)
            .into_tuple::<(i32, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let mut by_product: HashMap<i32, Vec<&variant::Model>> = HashMap::new();
        for v in &variants {
            by_product.entry(v.product_id).or_default().push(v);
        }

        let mut cards = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(text) = texts.get(id).and_then(|rows| pick(rows, locale)) else {
                continue;
            };
            let mine = by_product.get(id).map(Vec::as_slice).unwrap_or_default();
            let Some(price) =
                self.card_price(market, mine.iter().copied(), |v| overrides.get(&v.id))?
            else {
                continue;
            };
            let available = any_in_stock(mine, &stock);
            cards.push(ProductCard {
                id: *id,
                slug: text.slug.clone(),
                title: text.title.clone(),
                price,
                image: images.get(id).map(|img| image_view(img, locale)),
                available,
                tax_class: tax_class_of(*id, classes.get(id).map(String::as_str))?,
            });
        }
        Ok(cards)
    }

    async fn collection_summaries(
        &self,
        rows: &[collection::Model],
        locale: Locale,
    ) -> Result<Vec<(i32, CollectionSummary)>> {
        let texts = group_by_owner(
            collection_translation::Entity::find()
                .filter(
                    collection_translation::Column::CollectionId.is_in(rows.iter().map(|c| c.id)),
                )
                .filter(collection_translation::Column::Locale.is_in(locale.fallback_chain()))
                .all(&self.db)
                .await?,
        );
        Ok(rows
            .iter()
            .filter_map(|c| {
                let t = texts.get(&c.id).and_then(|rows| pick(rows, locale))?;
                Some((
                    c.id,
                    CollectionSummary {
                        slug: t.slug.clone(),
                        title: t.title.clone(),
                        description_html: SafeHtml::sanitize(&t.description_html),
                        image: None,
                    },
                ))
            })
            .collect())
    }

    /// Active product ids of a collection, one page of them, in the chosen order.
    /// `counted` skips the count (a join over the whole collection) when nobody shows it.
    async fn collection_product_ids(
        &self,
        collection_id: i32,
        sort: SortOrder,
        page: u64,
        counted: bool,
    ) -> Result<(Vec<i32>, u64)> {
        let base = product::Entity::find()
            .join(JoinType::InnerJoin, product::Relation::Membership.def())
            .filter(collection_product::Column::CollectionId.eq(collection_id))
            .filter(product::Column::Status.eq(ProductStatus::Active.as_str()));
        let total = if counted {
            base.clone().count(&self.db).await?
        } else {
            0
        };
        let min_price = Expr::cust(
            "(SELECT MIN(v.price_minor) FROM variant v WHERE v.product_id = product.id)",
        );
        let ordered = match sort {
            SortOrder::Featured => base.order_by_asc(collection_product::Column::Position),
            SortOrder::PriceAsc => base.order_by(min_price, Order::Asc),
            SortOrder::PriceDesc => base.order_by(min_price, Order::Desc),
            SortOrder::Newest => base.order_by_desc(product::Column::CreatedAt),
        };
        // The tie-break is the membership's product id, so the position index covers the order.
        let ids = ordered
            .order_by_asc(collection_product::Column::ProductId)
            .select_only()
            .column(product::Column::Id)
            .offset(page.saturating_sub(1).saturating_mul(PAGE_SIZE))
            .limit(PAGE_SIZE)
            .into_tuple::<i32>()
            .all(&self.db)
            .await?;
        Ok((ids, total))
    }

    /// Collections for the navigation: `(title, path)` in the merchant's order.
    pub async fn home_collections(&self, locale: Locale) -> Result<NavLinks> {
        if let Some(hit) = self
            .navigation
            .read()
            .ok()
            .and_then(|n| n.get(&locale).cloned())
        {
            return Ok(hit);
        }
        let links = Arc::new(self.load_navigation(locale).await?);
        if let Ok(mut n) = self.navigation.write() {
            n.insert(locale, links.clone());
        }
        Ok(links)
    }

    /// Drops the cached navigation, after collections changed.
    pub fn forget_navigation(&self) {
        if let Ok(mut n) = self.navigation.write() {
            n.clear();
        }
    }

    async fn load_navigation(&self, locale: Locale) -> Result<Vec<(String, String)>> {
        let all = collection::Entity::find()
            .order_by_asc(collection::Column::Position)
            .all(&self.db)
            .await?;
        Ok(self
            .collection_summaries(&all, locale)
            .await?
            .into_iter()
            .map(|(_, c)| (c.title, collection_path(locale, &c.slug)))
            .collect())
    }

    pub async fn home(&self, locale: Locale, market: &Market, country: &str) -> Result<HomePage> {
        let all = collection::Entity::find()
            .order_by_asc(collection::Column::Position)
            .all(&self.db)
            .await?;
        // A collection without text in the locale's chain has no summary: each summary
        // keeps its collection's id, so the featured flags stay with their collections.
        let summaries = self.collection_summaries(&all, locale).await?;
        let mut featured = Vec::new();
        for (id, summary) in &summaries {
            let Some(row) = all.iter().find(|c| c.id == *id) else {
                continue;
            };
            if !row.featured {
                continue;
            }
            let (ids, _) = self
                .collection_product_ids(row.id, SortOrder::Featured, 1, false)
                .await?;
            let ids: Vec<i32> = ids
                .into_iter()
                .take(FEATURED_PER_COLLECTION as usize)
                .collect();
            featured.push(FeaturedCollection {
                collection: summary.clone(),
                products: self.cards_for(&ids, locale, market, country).await?,
            });
        }
        Ok(HomePage {
            featured,
            collections: summaries.into_iter().map(|(_, s)| s).collect(),
        })
    }

    pub async fn collection_page(
        &self,
        locale: Locale,
        market: &Market,
        country: &str,
        slug: &str,
        sort: SortOrder,
        page: u64,
    ) -> Result<Lookup<CollectionPage>> {
        let candidates = collection_translation::Entity::find()
            .filter(collection_translation::Column::Slug.eq(slug))
            .all(&self.db)
            .await?;
        let Some(hit) = pick(&candidates, locale) else {
            return Err(DomainError::NotFound);
        };
        let id = hit.collection_id;
        let rows = collection_translation::Entity::find()
            .filter(collection_translation::Column::CollectionId.eq(id))
            .all(&self.db)
            .await?;
        let text = pick(&rows, locale).ok_or(DomainError::NotFound)?;
        if text.slug != slug {
            return Ok(Lookup::Redirect(collection_path(locale, &text.slug)));
        }
        if page > MAX_PAGE {
            return Err(DomainError::NotFound);
        }
        let page = page.max(1);
        let by_index = match (sort, self.price_order.get()) {
            (SortOrder::PriceAsc | SortOrder::PriceDesc, Some(order)) => {
                let handle = collection::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .ok_or(DomainError::NotFound)?
                    .handle;
                let offset = usize::try_from((page - 1) * PAGE_SIZE).unwrap_or(usize::MAX);
                Some(order.by_price(
                    &handle,
                    &market.code,
                    sort == SortOrder::PriceDesc,
                    offset,
                    PAGE_SIZE as usize,
                )?)
            }
            _ => None,
        };
        let (ids, total) = match by_index {
            Some(found) => found,
            None => self.collection_product_ids(id, sort, page, true).await?,
        };
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        if page > pages {
            return Err(DomainError::NotFound);
        }
        Ok(Lookup::Found(CollectionPage {
            collection: CollectionSummary {
                slug: text.slug.clone(),
                title: text.title.clone(),
                description_html: SafeHtml::sanitize(&text.description_html),
                image: None,
            },
            seo_title: text.seo_title.clone(),
            seo_description: text.seo_description.clone(),
            products: self.cards_for(&ids, locale, market, country).await?,
            sort,
            page,
            pages,
            total,
            alternates: alternates(&rows, collection_path),
            fallback: fallback_of(text, locale),
        }))
    }

    /// The product page. `chosen` is the variant the shopper picked, by id or by option
    /// value ids (the no-JS form); otherwise the first variant in stock is shown.
    pub async fn product_page(
        &self,
        locale: Locale,
        market: &Market,
        country: &str,
        slug: &str,
        chosen: &Selection,
    ) -> Result<Lookup<ProductPage>> {
        let candidates = product_translation::Entity::find()
            .filter(product_translation::Column::Slug.eq(slug))
            .all(&self.db)
            .await?;
        let Some(hit) = pick(&candidates, locale) else {
            return Err(DomainError::NotFound);
        };
        let Some(p) = product::Entity::find_by_id(hit.product_id)
            .one(&self.db)
            .await?
        else {
            return Err(DomainError::NotFound);
        };
        if p.status != ProductStatus::Active.as_str() {
            return Err(DomainError::NotFound);
        }
        let rows = product_translation::Entity::find()
            .filter(product_translation::Column::ProductId.eq(p.id))
            .all(&self.db)
            .await?;
        let text = pick(&rows, locale).ok_or(DomainError::NotFound)?;
        if text.slug != slug {
            return Ok(Lookup::Redirect(product_path(locale, &text.slug)));
        }

        let options = product_option::Entity::find()
            .filter(product_option::Column::ProductId.eq(p.id))
            .order_by_asc(product_option::Column::Position)
            .all(&self.db)
            .await?;
        let values = option_value::Entity::find()
            .filter(option_value::Column::OptionId.is_in(options.iter().map(|o| o.id)))
            .order_by_asc(option_value::Column::Position)
            .all(&self.db)
            .await?;
        let images = product_image::Entity::find()
            .filter(product_image::Column::ProductId.eq(p.id))
            .order_by_asc(product_image::Column::Position)
            .all(&self.db)
            .await?;
        let variants = variant::Entity::find()
            .filter(variant::Column::ProductId.eq(p.id))
            .order_by_asc(variant::Column::Position)
            .all(&self.db)
            .await?;
        let variant_ids: Vec<i32> = variants.iter().map(|v| v.id).collect();
        let overrides = self.overrides(market, &variant_ids).await?;
        let stock = self.available(&variant_ids).await?;

        let option_views = options
            .iter()
            .map(|o| OptionView {
                name: Localized::from_json(&o.name).get(locale).to_owned(),
                values: values
                    .iter()
                    .filter(|v| v.option_id == o.id)
                    .map(|v| OptionValueView {
                        id: v.id,
                        label: Localized::from_json(&v.label).get(locale).to_owned(),
                    })
                    .collect(),
            })
            .collect();
        let tax_class = tax_class_of(p.id, Some(&p.tax_class))?;
        let variant_views = variants
            .iter()
            .map(|v| {
                let (price, quote) =
                    self.variant_price(market, country, tax_class, v, overrides.get(&v.id))?;
                Ok(VariantView {
                    id: v.id,
                    sku: v.sku.clone(),
                    barcode: v.barcode.clone(),
                    values: [v.option1, v.option2, v.option3]
                        .into_iter()
                        .flatten()
                        .collect(),
                    price,
                    tax: TaxView::of(&quote, country),
                    available: stock.get(&v.id).copied().unwrap_or(0),
                    weight_grams: v.weight_grams,
                    image: v
                        .image_id
                        .and_then(|id| images.iter().position(|i| i.id == id)),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if variant_views.is_empty() {
            return Err(DomainError::NotFound);
        }

        let mut page = ProductPage {
            handle: p.handle.clone(),
            slug: text.slug.clone(),
            title: text.title.clone(),
            description_html: SafeHtml::sanitize(&text.description_html),
            seo_title: text.seo_title.clone(),
            seo_description: text.seo_description.clone(),
            vendor: p.vendor.clone(),
            product_type: p.product_type.clone(),
            options: option_views,
            variants: variant_views,
            images: images.iter().map(|i| image_view(i, locale)).collect(),
            selected: 0,
            collection: self.breadcrumb(p.id, locale).await?,
            alternates: alternates(&rows, product_path),
            fallback: fallback_of(text, locale),
        };
        page.selected = chosen
            .variant
            .and_then(|id| page.variants.iter().position(|v| v.id == id))
            .or_else(|| {
                (!chosen.values.is_empty())
                    .then(|| page.variant_for(&chosen.values))
                    .flatten()
            })
            .or_else(|| page.variants.iter().position(|v| v.available > 0))
            .unwrap_or(0);
        Ok(Lookup::Found(page))
    }

    /// The first collection a product belongs to, for the breadcrumb trail.
    async fn breadcrumb(&self, product_id: i32, locale: Locale) -> Result<Option<Breadcrumb>> {
        let Some(membership) = collection_product::Entity::find()
            .filter(collection_product::Column::ProductId.eq(product_id))
            .order_by_asc(collection_product::Column::CollectionId)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let rows = collection_translation::Entity::find()
            .filter(collection_translation::Column::CollectionId.eq(membership.collection_id))
            .all(&self.db)
            .await?;
        Ok(pick(&rows, locale).map(|t| Breadcrumb {
            title: t.title.clone(),
            path: collection_path(locale, &t.slug),
        }))
    }

    /// Every storefront URL in every locale, for the sitemap: `(path, lastmod)`.
    /// Products come in pages of `chunk` products so a 100k catalog streams in parts.
    pub async fn sitemap_products(
        &self,
        page: u64,
        chunk: u64,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let Some(offset) = page.checked_mul(chunk).filter(|o| *o < i64::MAX as u64) else {
            return Ok(Vec::new());
        };
        let products = product::Entity::find()
            .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
            .order_by_asc(product::Column::Id)
            .offset(offset)
            .limit(chunk)
            .all(&self.db)
            .await?;
        let texts = group_by_owner(
            product_translation::Entity::find()
                .filter(product_translation::Column::ProductId.is_in(products.iter().map(|p| p.id)))
                .all(&self.db)
                .await?,
        );
        let mut urls = Vec::new();
        for p in &products {
            if let Some(rows) = texts.get(&p.id) {
                urls.extend(
                    alternates(rows, product_path)
                        .into_iter()
                        .map(|a| (a.path, p.updated_at)),
                );
            }
        }
        Ok(urls)
    }

    pub async fn sitemap_collections(&self) -> Result<Vec<String>> {
        let rows = group_by_owner(collection_translation::Entity::find().all(&self.db).await?);
        let mut ids: Vec<&i32> = rows.keys().collect();
        ids.sort();
        Ok(ids
            .into_iter()
            .flat_map(|id| alternates(&rows[id], collection_path))
            .map(|a| a.path)
            .collect())
    }

    /// Products (of any status) updated after `since`, with their update times.
    pub async fn changed_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(i32, chrono::DateTime<chrono::Utc>)>> {
        Ok(product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .column(product::Column::UpdatedAt)
            .filter(product::Column::UpdatedAt.gt(since))
            .order_by_asc(product::Column::UpdatedAt)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    pub async fn active_product_count(&self) -> Result<u64> {
        Ok(product::Entity::find()
            .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
            .count(&self.db)
            .await?)
    }
}

impl Catalog {
    /// Products as the search index needs them: active products with `id > after` (or just
    /// `ids`), at most `limit`, with their text in every locale (fallback applied), codes,
    /// facet keys, lowest price per market and stock; plus labels for the facet keys.
    pub async fn search_records(
        &self,
        ids: Option<&[i32]>,
        after: i32,
        limit: u64,
    ) -> Result<(Vec<SearchRecord>, FacetLabels)> {
        let mut q = product::Entity::find()
            .filter(product::Column::Status.eq(ProductStatus::Active.as_str()));
        q = match ids {
            Some(ids) => q.filter(product::Column::Id.is_in(ids.iter().copied())),
            None => q.filter(product::Column::Id.gt(after)),
        };
        let products = q
            .order_by_asc(product::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut labels = FacetLabels::default();
        if products.is_empty() {
            return Ok((Vec::new(), labels));
        }
        let pids: Vec<i32> = products.iter().map(|p| p.id).collect();
        let texts = group_by_owner(
            product_translation::Entity::find()
                .filter(product_translation::Column::ProductId.is_in(pids.iter().copied()))
                .all(&self.db)
                .await?,
        );
        let options = product_option::Entity::find()
            .filter(product_option::Column::ProductId.is_in(pids.iter().copied()))
            .all(&self.db)
            .await?;
        let values = option_value::Entity::find()
            .filter(option_value::Column::OptionId.is_in(options.iter().map(|o| o.id)))
            .all(&self.db)
            .await?;
        let variants = variant::Entity::find()
            .filter(variant::Column::ProductId.is_in(pids.iter().copied()))
            .all(&self.db)
            .await?;
        let variant_ids: Vec<i32> = variants.iter().map(|v| v.id).collect();
        let stock = self.available(&variant_ids).await?;
        let mut overrides: HashMap<(i32, i32), price_override::Model> = HashMap::new();
        for o in price_override::Entity::find()
            .filter(price_override::Column::VariantId.is_in(variant_ids.iter().copied()))
            .all(&self.db)
            .await?
        {
            overrides.insert((o.market_id, o.variant_id), o);
        }
        let collections: HashMap<i32, String> = collection::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.handle))
            .collect();
        for (id, rows) in
            group_by_owner(collection_translation::Entity::find().all(&self.db).await?)
        {
            if let Some(handle) = collections.get(&id) {
                let names = Localized(rows.into_iter().map(|r| (r.locale, r.title)).collect());
                labels.collections.insert(handle.clone(), names);
            }
        }
        let mut images = self.first_images(&pids).await?;
        let mut memberships: HashMap<i32, Vec<String>> = HashMap::new();
        for m in collection_product::Entity::find()
            .filter(collection_product::Column::ProductId.is_in(pids.iter().copied()))
            .all(&self.db)
            .await?
        {
            if let Some(handle) = collections.get(&m.collection_id) {
                memberships
                    .entry(m.product_id)
                    .or_default()
                    .push(handle.clone());
            }
        }

        // Grouped once, so each product finds its rows without scanning the batch.
        let mut options_of: HashMap<i32, Vec<&product_option::Model>> = HashMap::new();
        for o in &options {
            options_of.entry(o.product_id).or_default().push(o);
        }
        let mut values_of: HashMap<i32, Vec<&option_value::Model>> = HashMap::new();
        for v in &values {
            values_of.entry(v.option_id).or_default().push(v);
        }
        let mut variants_of: HashMap<i32, Vec<&variant::Model>> = HashMap::new();
        for v in &variants {
            variants_of.entry(v.product_id).or_default().push(v);
        }

        let mut records = Vec::with_capacity(products.len());
        for p in &products {
            let rows = texts.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let my_options = options_of.remove(&p.id).unwrap_or_default();
            let my_variants = variants_of.remove(&p.id).unwrap_or_default();
            let mut option_keys = Vec::new();
            let mut option_words: HashMap<Locale, Vec<String>> = HashMap::new();
            for o in &my_options {
                let name = Localized::from_json(&o.name);
                for v in values_of.get(&o.id).into_iter().flatten() {
                    let label = Localized::from_json(&v.label);
                    let used = my_variants
                        .iter()
                        .any(|x| [x.option1, x.option2, x.option3].contains(&Some(v.id)));
                    if !used {
                        continue;
                    }
                    let key = format!(
                        "{}={}",
                        name.get(Locale::DEFAULT),
                        label.get(Locale::DEFAULT)
                    )
                    .to_lowercase();
                    for l in Locale::ALL {
                        option_words
                            .entry(l)
                            .or_default()
                            .push(label.get(l).to_owned());
                    }
                    labels.options.insert(key.clone(), (name.clone(), label));
                    option_keys.push(key);
                }
            }
            option_keys.sort();
            option_keys.dedup();
            let texts = Locale::ALL
                .into_iter()
                .map(|l| match pick(rows, l) {
                    Some(t) => {
                        let extra = option_words
                            .get(&l)
                            .map(|w| w.join(" "))
                            .unwrap_or_default();
                        (
                            t.title.clone(),
                            format!(
                                "{} {extra} {}",
                                crate::search::html_to_text(&t.description_html),
                                p.vendor
                            ),
                        )
                    }
                    None => (String::new(), String::new()),
                })
                .collect();
            let mut prices = Vec::new();
            for m in self.markets.all() {
                let price = self.card_price(m, my_variants.iter().copied(), |v| {
                    overrides.get(&(m.id, v.id))
                })?;
                if let Some(price) = price {
                    prices.push((m.code.clone(), price));
                }
            }
            let slugs = Locale::ALL
                .into_iter()
                .map(|l| pick(rows, l).map(|t| t.slug.clone()).unwrap_or_default())
                .collect();
            records.push(SearchRecord {
                id: p.id,
                texts,
                codes: my_variants
                    .iter()
                    .flat_map(|v| [Some(v.sku.clone()), v.barcode.clone()])
                    .flatten()
                    .collect(),
                collections: memberships.remove(&p.id).unwrap_or_default(),
                vendor: p.vendor.clone(),
                product_type: p.product_type.clone(),
                tags: p
                    .tags
                    .split(',')
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect(),
                options: option_keys,
                card: CardData {
                    slugs,
                    image: images.remove(&p.id).map(|img| CardImage {
                        alt: Localized::from_json(&img.alt),
                        file: img.file,
                        width: img.width,
                        height: img.height,
                    }),
                    prices,
                    available: any_in_stock(&my_variants, &stock),
                    tax_class: tax_class_of(p.id, Some(&p.tax_class))?,
                },
                created: p.created_at.timestamp(),
            });
        }
        Ok((records, labels))
    }
}

/// What the shopper picked on a product page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub variant: Option<i32>,
    pub values: Vec<i32>,
}

pub fn market_view(m: &Market, locale: Locale) -> MarketView {
    MarketView {
        code: m.code.clone(),
        name: m.name.get(locale).to_owned(),
        currency: m.currency(),
        tax_inclusive: m.tax_inclusive,
    }
}

/// A product's stored tax class; an unknown one is corrupt data, not a guess.
fn tax_class_of(product: i32, stored: Option<&str>) -> Result<TaxClass> {
    stored
        .and_then(TaxClass::from_code)
        .ok_or_else(|| DomainError::Corrupt(format!("product {product}: tax class")))
}

/// Whether any of the variants has stock, by variant id in `stock` (what `available` reads).
fn any_in_stock(variants: &[&variant::Model], stock: &HashMap<i32, i32>) -> bool {
    variants
        .iter()
        .any(|v| stock.get(&v.id).copied().unwrap_or(0) > 0)
}

fn image_view(img: &product_image::Model, locale: Locale) -> ImageView {
    media::view(
        &img.file,
        img.width,
        img.height,
        Localized::from_json(&img.alt).get(locale),
    )
}
