# A thin mirror of scripts/install-deps.sh and the CMake build, so what the scripts prove holds
# for the image too.
FROM debian:bookworm AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libcurl4-openssl-dev libsimdjson-dev libpqxx-dev libpq-dev libboost-date-time-dev \
      libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev \
      libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libxxhash-dev libgtest-dev libgmock-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j"$(nproc)" --target tributary

FROM debian:bookworm-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates libcurl4 libsimdjson14 libpqxx-6.4 libspdlog1.10 libfmt9 libyaml-cpp0.7 libxxhash0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /opt/tributary tributary
COPY --from=build /src/build/cli/tributary /usr/local/bin/tributary
COPY sql/ /opt/tributary/sql/
COPY config/ /opt/tributary/config/
WORKDIR /opt/tributary
USER tributary
ENTRYPOINT ["tributary"]
CMD ["--help"]
