# The orchestrator server (and the provider simulator, for demos) as a runtime image. Build: docker build -t orchestrator .
# Run one node as in the README, or the three-node cluster of docker-compose.yml (docs/cluster.md).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The project files first, so a change of source alone does not restore the packages again.
COPY Directory.Build.props Directory.Packages.props Orchestrator.sln ./
COPY src/Orchestrator/Orchestrator.csproj src/Orchestrator/
COPY src/Orchestrator.Contracts/Orchestrator.Contracts.csproj src/Orchestrator.Contracts/
COPY src/Orchestrator.Simulator/Orchestrator.Simulator.csproj src/Orchestrator.Simulator/
COPY src/Orchestrator.Server/Orchestrator.Server.csproj src/Orchestrator.Server/
RUN dotnet restore src/Orchestrator.Server/Orchestrator.Server.csproj
COPY config/ config/
COPY src/ src/
RUN dotnet publish src/Orchestrator.Server -c Release --no-restore -o /out/server \
 && dotnet publish src/Orchestrator.Simulator -c Release -o /out/simulator

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out/server /app/
COPY --from=build /out/simulator /simulator/
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    Urls=http://0.0.0.0:5080
# 5080: the HTTP API; 4053: Akka.Remote between cluster nodes (keep it on a private network: it is not encrypted).
EXPOSE 5080 4053
VOLUME /app/data
ENTRYPOINT ["dotnet", "Orchestrator.Server.dll"]
