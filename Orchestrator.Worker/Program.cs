using Orchestrator.Sagas.Persistence;
using Orchestrator.Worker.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrchestratorDatabase();
builder.AddResearchWorkflow();

var app = builder.Build();

if (args is ["migrate"])
{
    await app.Services.MigrateOrchestratorDatabaseAsync();
    return;
}

app.MapDefaultEndpoints();

await app.RunAsync();

/// <summary>Kept internal: the Api, which references this project, has the public Program of the solution.</summary>
internal partial class Program;
