# One function per kind of target, so that each module owns its folder and no module
# edits a shared build file to add a source, a test or a benchmark.

set(SS_MODULES "" CACHE INTERNAL "")

# ss_module(NAME [DEPS mod...] [LIBS lib...])
# Builds src/NAME/*.c and *.S into the static library ss_NAME. Objects are also
# collected for the umbrella library secure_signer.
function(ss_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.c
                                   ${PROJECT_SOURCE_DIR}/src/${name}/*.S)
  if(name STREQUAL "cli")
    list(FILTER srcs EXCLUDE REGEX "/main\\.c$")
  endif()
  if(NOT srcs)
    # A module with no code yet is an empty interface, so dependents still link.
    add_library(ss_${name} INTERFACE)
    target_include_directories(ss_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    foreach(d ${M_DEPS})
      target_link_libraries(ss_${name} INTERFACE ss_${d})
    endforeach()
    target_link_libraries(ss_${name} INTERFACE ${M_LIBS})
    return()
  endif()
  add_library(ss_${name}_obj OBJECT ${srcs})
  target_include_directories(ss_${name}_obj PUBLIC ${PROJECT_SOURCE_DIR}/src)
  add_library(ss_${name} STATIC $<TARGET_OBJECTS:ss_${name}_obj>)
  target_include_directories(ss_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  foreach(d ${M_DEPS})
    target_link_libraries(ss_${name}_obj PUBLIC ss_${d})
    target_link_libraries(ss_${name} PUBLIC ss_${d})
  endforeach()
  target_link_libraries(ss_${name}_obj PUBLIC ${M_LIBS})
  target_link_libraries(ss_${name} PUBLIC ${M_LIBS})
  set(SS_MODULES ${SS_MODULES} ${name} CACHE INTERNAL "")
endfunction()

# secure_signer: one static library holding every module's objects.
function(ss_umbrella_library)
  set(objs "")
  foreach(m ${SS_MODULES})
    list(APPEND objs $<TARGET_OBJECTS:ss_${m}_obj>)
  endforeach()
  add_library(secure_signer STATIC ${objs})
  target_include_directories(secure_signer PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()

# Every subfolder of DIR with a CMakeLists.txt is added, so tests/<module>/ and
# bench/<module>/ are picked up without editing this file.
function(ss_add_subdirectories dir)
  file(GLOB children LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/${dir}/*)
  foreach(child ${children})
    if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt
       AND NOT child MATCHES "/harness$")
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

# ss_test(NAME SOURCES f.c... [DEPS mod...] [LABELS l...] [ARGS a...] [ENV K=V...])
# A test executable linked with the harness; exit code 77 means skipped (ctest SKIP).
function(ss_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS;ARGS;ENV" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ss_test_harness)
  foreach(d ${T_DEPS})
    target_link_libraries(${name} PRIVATE ss_${d})
  endforeach()
  ss_test_run(${name} ${name} ARGS ${T_ARGS} LABELS ${T_LABELS} ENV ${T_ENV})
endfunction()

# ss_test_run(NAME EXE [ARGS a...] [LABELS l...] [ENV K=V...])
# Registers one more ctest entry for an existing test executable (a named case,
# another backend through ENV).
function(ss_test_run name exe)
  cmake_parse_arguments(T "" "" "ARGS;LABELS;ENV" ${ARGN})
  add_test(NAME ${name} COMMAND ${exe} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS "${T_LABELS}")
  if(T_ENV)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
  endif()
endfunction()

# ss_ct_test(NAME EXE [ARGS a...] [SUPPRESSIONS file])
# Runs EXE under valgrind memcheck, label "ct": tests mark secrets with CT_SECRET()
# (util/ct_check.h) so any branch or index that depends on a secret is an error.
# SUPPRESSIONS: a valgrind suppression file for a branch inside a library that only
# reveals a public answer (each entry says why). Not registered in sanitizer builds
# (valgrind and ASan do not mix).
function(ss_ct_test name exe)
  cmake_parse_arguments(T "" "SUPPRESSIONS" "ARGS" ${ARGN})
  if(SS_SANITIZE)
    return()
  endif()
  set(supp "")
  if(T_SUPPRESSIONS)
    set(supp "--suppressions=${T_SUPPRESSIONS}")
  endif()
  add_test(NAME ${name}
           COMMAND valgrind --quiet --error-exitcode=99 --track-origins=yes
                   --exit-on-first-error=no ${supp} $<TARGET_FILE:${exe}> ${T_ARGS})
  set_tests_properties(${name} PROPERTIES LABELS "ct;valgrind" SKIP_RETURN_CODE 77)
endfunction()

# ss_npm_test(NAME DIR SCRIPT [ARGS a...] [DEPENDS target...])
# A Node.js cross-check in tests/<dir> with its own package.json and lock file;
# run-npm-test installs the pinned packages (npm ci) before running the script.
function(ss_npm_test name dir script)
  cmake_parse_arguments(T "" "" "ARGS;LABELS" ${ARGN})
  if(NOT SS_NPM_TESTS)
    return()
  endif()
  add_test(NAME ${name}
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/run-npm-test ${dir} ${script} ${T_ARGS}
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "npm;${T_LABELS}" SKIP_RETURN_CODE 77
                       ENVIRONMENT "SS_BUILD_DIR=${CMAKE_BINARY_DIR};SS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# ss_bench(NAME SOURCES f.c... [DEPS mod...]): a benchmark program (prints numbers).
function(ss_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  foreach(d ${B_DEPS})
    target_link_libraries(${name} PRIVATE ss_${d})
  endforeach()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()

# ss_fuzz(NAME SOURCES f.c... [DEPS mod...] [CORPUS dir])
# A fuzz target defines LLVMFuzzerTestOneInput(). In every build it is linked with the
# replay driver (tests/harness/fuzz_replay.c) and registered as a test that feeds it each
# file of CORPUS (seeds and crashes kept as regression inputs, as SQLite's fuzzcheck
# does). With -DSS_FUZZ=ON and clang, NAME_libfuzzer is also built with -fsanitize=fuzzer
# for real fuzzing: build-fuzz/tests/<module>/NAME_libfuzzer CORPUS.
function(ss_fuzz name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/harness/fuzz_replay.c)
  target_link_libraries(${name} PRIVATE ss_test_file)
  foreach(d ${F_DEPS})
    target_link_libraries(${name} PRIVATE ss_${d})
  endforeach()
  if(F_CORPUS)
    add_test(NAME ${name}_corpus COMMAND ${name} ${F_CORPUS})
    set_tests_properties(${name}_corpus PROPERTIES LABELS "fuzz")
  endif()
  if(SS_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
    add_executable(${name}_libfuzzer ${F_SOURCES})
    target_compile_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    foreach(d ${F_DEPS})
      target_link_libraries(${name}_libfuzzer PRIVATE ss_${d})
    endforeach()
  endif()
endfunction()
