search-title = Buscar
search-results-for = Resultados de «{ $query }»
search-empty = Escribe lo que buscas: un producto, un color o un código.
search-no-words = Esa búsqueda no tiene palabras ni códigos. Prueba con el nombre de un producto, como «tetera».
search-shortened = Tu búsqueda se acortó a { $max } caracteres.
search-count = { $count ->
    [one] 1 producto encontrado
   *[other] { $count } productos encontrados
}
search-none = No hay coincidencias. Revisa la ortografía, usa menos palabras o más generales, o explora las colecciones de arriba.
search-filters = Filtros
search-label = Buscar en la tienda
search-placeholder = Buscar productos
search-submit = Buscar
sort-relevance = Relevancia
facet-collection = Colección
facet-price = Precio
facet-availability = Disponibilidad
facet-in-stock = En existencia
facet-vendor = Marca
facet-type = Tipo de producto
facet-tag = Etiqueta
search-suggest-collection = Colección
