# Warnings are errors under gcc and clang (CONVENTIONS.md "Tests").
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
                    -fno-strict-aliasing)

if(CMAKE_BUILD_TYPE STREQUAL "Release" OR CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo")
  # Hardening: fortified libc calls, stack protector, PIE, full RELRO, no exec stack.
  add_compile_options(-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE)
  add_link_options(-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()

if(SS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(SS_SANITIZE=1)
endif()

# A fuzzing build instruments every module for coverage (libFuzzer's fuzzer-no-link), so
# the fuzz targets' own -fsanitize=fuzzer sees into the code under test.
if(SS_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -g)
  add_link_options(-fsanitize=address,undefined)
endif()

# The code other architectures compile, built and tested on x86-64 (crypto/arch.h).
if(SS_GENERIC_C)
  add_compile_definitions(SS_GENERIC_C=1)
endif()
