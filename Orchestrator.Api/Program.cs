using Orchestrator.Api.Hosting;
using Orchestrator.Api.Security;
using Orchestrator.Api.Tasks;
using Orchestrator.Sagas.Persistence;

var builder = WebApplication.CreateBuilder(args);
if (DevelopmentTokens.TryRun(builder, args))
    return;

builder.AddServiceDefaults();
builder.AddApiSecurity();
builder.AddOrchestratorDatabase();
builder.AddTaskProcessing();
builder.AddTaskApi();

var app = builder.Build();

app.UseApiSecurity();
app.MapDefaultEndpoints();
app.MapTaskEndpoints();
app.MapOpenApi();

app.Run();

public partial class Program;
