# Writes the files FILES (names relative to DIR), each with its gzip form NAME.gz beside it,
# into OUTPUT as the C++ function
#   std::span<const brook::http::console_asset> brook::http::console_assets()
# declared in http/console_assets.h. Run by the build whenever the console is rebuilt:
#   cmake -DDIR=... -DFILES="index.html;app.js" -DOUTPUT=... -P embed_assets.cmake
string(CONCAT body "// Generated from the built console by cmake/embed_assets.cmake. Do not edit.\n"
  "#include \"http/console_assets.h\"\n\nnamespace brook::http {\nnamespace {\n")
set(table "")
set(index 0)
foreach(name IN LISTS FILES)
  foreach(variant plain gz)
    if(variant STREQUAL "gz")
      set(path ${DIR}/${name}.gz)
    else()
      set(path ${DIR}/${name})
    endif()
    file(READ ${path} hex HEX)
    string(LENGTH "${hex}" hex_length)
    math(EXPR size_${variant} "${hex_length} / 2")
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    string(APPEND body "const unsigned char ${variant}_${index}[] = {${bytes}};\n")
  endforeach()
  string(APPEND table "    {\"${name}\", {reinterpret_cast<const char*>(plain_${index}), ${size_plain}},\n"
    "     {reinterpret_cast<const char*>(gz_${index}), ${size_gz}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND body "const console_asset assets[] = {\n${table}};\n}  // namespace\n\n"
  "std::span<const console_asset> console_assets() {\n  return assets;\n}\n\n"
  "}  // namespace brook::http\n")
file(WRITE ${OUTPUT}.tmp "${body}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
