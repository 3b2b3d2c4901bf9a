search-title = Search
search-results-for = Results for “{ $query }”
search-empty = Type what you are looking for: a product, a colour or a code.
search-no-words = That search has no words or codes in it. Try a product name, such as “teapot”.
search-shortened = Your search was shortened to { $max } characters.
search-count = { $count ->
    [one] 1 product found
   *[other] { $count } products found
}
search-none = Nothing matched. Check the spelling, try fewer or more general words, or browse the collections above.
search-filters = Filters
search-label = Search the store
search-placeholder = Search products
search-submit = Search
sort-relevance = Relevance
facet-collection = Collection
facet-price = Price
facet-availability = Availability
facet-in-stock = In stock
facet-vendor = Brand
facet-type = Product type
facet-tag = Tag
search-suggest-collection = Collection
