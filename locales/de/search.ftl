search-title = Suche
search-results-for = Ergebnisse für „{ $query }“
search-empty = Gib ein, was du suchst: ein Produkt, eine Farbe oder eine Artikelnummer.
search-no-words = Diese Suche enthält keine Wörter oder Nummern. Versuche einen Produktnamen, etwa „Teekanne“.
search-shortened = Deine Suche wurde auf { $max } Zeichen gekürzt.
search-count = { $count ->
    [one] 1 Produkt gefunden
   *[other] { $count } Produkte gefunden
}
search-none = Nichts gefunden. Prüfe die Schreibweise, nutze weniger oder allgemeinere Wörter oder stöbere in den Kollektionen oben.
search-filters = Filter
search-label = Im Shop suchen
search-placeholder = Produkte suchen
search-submit = Suchen
sort-relevance = Relevanz
facet-collection = Kollektion
facet-price = Preis
facet-availability = Verfügbarkeit
facet-in-stock = Auf Lager
facet-vendor = Marke
facet-type = Produktart
facet-tag = Schlagwort
search-suggest-collection = Kollektion
