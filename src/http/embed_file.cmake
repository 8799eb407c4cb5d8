# Writes INPUT into OUTPUT as the bytes of brook::http::openapi_document() (see
# openapi_document.h). Run by the build whenever doc/openapi.json changes.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT} "// Generated from doc/openapi.json by src/http/embed_file.cmake. Do not edit.\n"
  "#include \"http/openapi_document.h\"\n\n"
  "namespace brook::http {\nnamespace {\nconst unsigned char bytes[] = {${bytes}};\n}\n"
  "std::string_view openapi_document() {\n"
  "  return {reinterpret_cast<const char*>(bytes), ${size}};\n}\n}  // namespace brook::http\n")
