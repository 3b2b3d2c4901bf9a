search-title = Buscar
search-results-for = Resultados para “{ $query }”
search-empty = Digite o que você procura: um produto, uma cor ou um código.
search-no-words = Essa busca não tem palavras nem códigos. Tente o nome de um produto, como “bule”.
search-shortened = Sua busca foi encurtada para { $max } caracteres.
search-count = { $count ->
    [one] 1 produto encontrado
   *[other] { $count } produtos encontrados
}
search-none = Nada encontrado. Confira a ortografia, use menos palavras ou termos mais gerais, ou navegue pelas coleções acima.
search-filters = Filtros
search-label = Buscar na loja
search-placeholder = Buscar produtos
search-submit = Buscar
sort-relevance = Relevância
facet-collection = Coleção
facet-price = Preço
facet-availability = Disponibilidade
facet-in-stock = Em estoque
facet-vendor = Marca
facet-type = Tipo de produto
facet-tag = Etiqueta
search-suggest-collection = Coleção
