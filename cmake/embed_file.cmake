# Writes the bytes of INPUT into OUTPUT as the C++ function
#   std::string_view NAMESPACE::FUNCTION()
# declared in HEADER (an #include path). Run by the build whenever INPUT changes:
#   cmake -DINPUT=... -DOUTPUT=... -DHEADER=... -DNAMESPACE=... -DFUNCTION=... -P embed_file.cmake
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(input_name ${INPUT} NAME)
file(WRITE ${OUTPUT} "// Generated from ${input_name} by cmake/embed_file.cmake. Do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace ${NAMESPACE} {\nnamespace {\nconst unsigned char bytes[] = {${bytes}};\n}\n"
  "std::string_view ${FUNCTION}() {\n"
  "  return {reinterpret_cast<const char*>(bytes), ${size}};\n}\n}  // namespace ${NAMESPACE}\n")
