search-title = Recherche
search-results-for = Résultats pour « { $query } »
search-empty = Saisissez ce que vous cherchez : un produit, une couleur ou une référence.
search-no-words = Cette recherche ne contient ni mot ni référence. Essayez un nom de produit, comme « théière ».
search-shortened = Votre recherche a été raccourcie à { $max } caractères.
search-count = { $count ->
    [one] 1 produit trouvé
   *[other] { $count } produits trouvés
}
search-none = Aucun résultat. Vérifiez l’orthographe, utilisez moins de mots ou des mots plus généraux, ou parcourez les collections ci-dessus.
search-filters = Filtres
search-label = Rechercher dans la boutique
search-placeholder = Rechercher des produits
search-submit = Rechercher
sort-relevance = Pertinence
facet-collection = Collection
facet-price = Prix
facet-availability = Disponibilité
facet-in-stock = En stock
facet-vendor = Marque
facet-type = Type de produit
facet-tag = Étiquette
search-suggest-collection = Collection
