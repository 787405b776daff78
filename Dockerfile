# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
# The Maven wrapper pins Maven itself, so the build image only needs a JDK.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

# Dependencies change far less often than code: resolving them in a layer of their
# own lets a code-only change rebuild without downloading the world again.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline

COPY src src
RUN ./mvnw -B -DskipTests package \
 && cp target/paygate-*.jar app.jar \
 && java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

# ---- runtime ----------------------------------------------------------------
FROM eclipse-temurin:17-jre

# The HEALTHCHECK needs an HTTP client. Older Temurin images ship curl, newer ones
# no longer promise it, so install it only where it is missing.
RUN command -v curl >/dev/null 2>&1 \
 || { apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*; }

# A fixed, numeric, unprivileged id: orchestrators can verify runAsNonRoot, and
# volume ownership stays predictable across rebuilds.
RUN groupadd --system --gid 10001 paygate \
 && useradd --system --uid 10001 --gid paygate --home-dir /app --shell /usr/sbin/nologin paygate

WORKDIR /app
# Least-often-changed layers first, so a code change ships as a small final layer.
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./

# With no database configured the gateway starts an embedded PostgreSQL under
# ./data; the app user must own it or that default cannot start. Mount a volume
# here to keep that data, or point SPRING_R2DBC_URL at a real server.
RUN mkdir -p /app/data && chown paygate:paygate /app/data

USER 10001:10001

# Sized from the container's memory limit rather than the host's. In the
# environment (not on the command line) so an operator can replace them whole.
# Exit on OOM so the orchestrator restarts a clean JVM instead of a wounded one.
# G1 marks the old generation from 80% of the heap, not from its adaptive
# threshold: held event streams make most of the heap live, and the adaptive
# threshold then marked back to back. 80 leaves room for G1's 10% reserve; 92
# did not (bench/RESULTS.md; bench/lib.sh runs the gateway with the same flags).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=80"

EXPOSE 8080

# Liveness, not readiness: a gateway that has lost its database is alive but not
# ready, and restarting it would not bring the database back.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://localhost:8080/actuator/health/liveness || exit 1

# Exec form: java is PID 1 and receives SIGTERM, so graceful shutdown runs.
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
