using Orchestrator.Api.ApiDescription;
using Orchestrator.Api.Dashboard;
using Orchestrator.Api.Hosting;
using Orchestrator.Api.Progress;
using Orchestrator.Api.Security;
using Orchestrator.Api.Spending;
using Orchestrator.Api.Tasks;
using Orchestrator.ServiceDefaults;

if (await StandaloneSimulators.TryRunAsync(args))
    return;

var builder = WebApplication.CreateBuilder(args);
if (DevelopmentTokens.TryRun(builder, args))
    return;

builder.AddServiceDefaults();
builder.AddApiSecurity();
builder.AddOrchestratorDatabase();
builder.AddTaskProcessing();
builder.AddTaskApi();
builder.AddSpendingApi();
builder.AddTaskProgress();
builder.AddApiDescription();

var app = builder.Build();

app.UseHtmlSecurityHeaders();
app.MapDashboard();
app.UseApiSecurity();
app.MapDefaultEndpoints(ApiSecurityRegistration.MetricsAccess(app));
app.MapTaskEndpoints();
app.MapSpendingEndpoints();
app.MapTaskProgress();
app.MapApiDescription();

app.Run();
