# CMake package of the neotalk-storage C library, installed by ffi/install.sh.
#
#   find_package(neotalk_storage REQUIRED)
#   target_link_libraries(app PRIVATE neotalk_storage::neotalk_storage)         # shared
#   target_link_libraries(app PRIVATE neotalk_storage::neotalk_storage_static)  # static
#
# The package is relocatable: paths are found relative to this file (PREFIX/lib/cmake/neotalk_storage).

get_filename_component(_nts_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

include(CMakeFindDependencyMacro)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_dependency(Threads)

if(NOT TARGET neotalk_storage::neotalk_storage)
  add_library(neotalk_storage::neotalk_storage SHARED IMPORTED)
  set_target_properties(neotalk_storage::neotalk_storage PROPERTIES
    IMPORTED_LOCATION "${_nts_prefix}/lib/libneotalk_storage_ffi.so"
    IMPORTED_SONAME "libneotalk_storage_ffi.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_nts_prefix}/include")
endif()

if(NOT TARGET neotalk_storage::neotalk_storage_static)
  add_library(neotalk_storage::neotalk_storage_static STATIC IMPORTED)
  # A Rust static library needs the system libraries the Rust standard library uses.
  set_target_properties(neotalk_storage::neotalk_storage_static PROPERTIES
    IMPORTED_LOCATION "${_nts_prefix}/lib/libneotalk_storage_ffi.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_nts_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")
endif()

unset(_nts_prefix)
set(neotalk_storage_FOUND TRUE)
