// csv_field: one field of a CSV line as RFC 4180 writes it: as it is, or between double
// quotes (each quote inside doubled) when it holds a comma, a double quote, CR or LF, or
// starts or ends with a space (so a reader keeps the spaces).
#pragma once

#include <string>
#include <string_view>

namespace brook::connect {

// Appends `field` to `line`, quoted when it must be.
void append_csv_field(std::string& line, std::string_view field);

}  // namespace brook::connect
