// QBO's number formatting; the JSON writer itself is shared by every mock (mock/common).
#pragma once

#include <cstdint>
#include <string>

#include "mock/common/json_writer.hpp"

namespace tributary::mock {

// Amount in cents as QBO prints it: 150.0, 362.07, 10.5
std::string money(std::int64_t cents);

}  // namespace tributary::mock
