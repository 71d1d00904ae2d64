using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orchestrator.Api.Security;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Api.ApiDescription;

/// <summary>
/// What the document says of the service as a whole: its name, version and licence, the tags, how a caller
/// authenticates, and the operational routes that are not minimal-API endpoints (readiness, metrics).
/// </summary>
public sealed class ServiceDescription(IOptions<AuthOptions> auth) : IOpenApiDocumentTransformer
{
    public const string Title = "Research Task Orchestrator";
    public const string BearerScheme = "bearer";
    public const string TasksTag = "Tasks";
    public const string HealthTag = "Health";

    const string Summary =
        "Submit a research task `{theme, budget, voice_id}`: the service discovers data in a paid marketplace, pays for what " +
        "fits the budget (never more, never twice), and writes a cited Markdown report. The task runs in the background; " +
        "follow it with `GET /tasks/{taskId}` or its event stream.\n\n" +
        "Errors: 422 in FastAPI's validation format (`{\"detail\": [{\"loc\", \"msg\", \"type\"}]}`), every other error " +
        "`{\"detail\": \"...\"}`. 429 and 503 carry `Retry-After` (seconds).";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = Title,
            Version = ServiceDefaultsRegistration.Version,
            Description = Summary,
            License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
        };

        // The server is the address the document was read from; a trailing slash would double every path's.
        foreach (var server in document.Servers ?? [])
            server.Url = server.Url?.TrimEnd('/') is { Length: > 0 } url ? url : "/";

        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = TasksTag, Description = "Research tasks: submit, follow, read the report and the audit trail, cancel." },
            new() { Name = HealthTag, Description = "Liveness, readiness and metrics, for orchestrators and scrapers; no token needed." },
        };

        DescribeBearerTokens(document);
        DescribeOperationalRoutes(document, auth.Value.Mode == AuthMode.Jwt);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Under <c>Auth:Mode=Jwt</c> every route but health needs a bearer token whose <c>sub</c> owns the tasks; in
    /// the anonymous mode a token is accepted and ignored, so none is needed either.
    /// </summary>
    void DescribeBearerTokens(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT whose `sub` owns the tasks it creates (`role: admin` sees every task). " +
                "Required when the service runs with `Auth:Mode=Jwt`; the default anonymous mode needs none.",
        };

        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] };
        document.Security = auth.Value.Mode == AuthMode.Jwt ? [bearer] : [new OpenApiSecurityRequirement(), bearer];
    }

    /// <summary>Readiness and metrics are mapped by the health-check and Prometheus middleware, not as endpoints.</summary>
    static void DescribeOperationalRoutes(OpenApiDocument document, bool jwt)
    {
        document.Paths.Add("/health/ready", Anonymous(new OpenApiOperation
        {
            OperationId = "getReadiness",
            Summary = "Whether this process can work now: the database answers and every bus endpoint consumes",
            Responses = new OpenApiResponses
            {
                ["200"] = PlainText("Ready: `Healthy`"),
                ["400"] = AccessRules.BadRequest(document),
                ["503"] = PlainText("Not ready: `Unhealthy`, with the reason in the logs; ready again by itself after an outage"),
            },
        }));
        var metrics = Anonymous(new OpenApiOperation
        {
            OperationId = "getMetrics",
            Summary = "Counters and durations in Prometheus' text format (nothing of any task)",
            Responses = new OpenApiResponses
            {
                ["200"] = PlainText("The Prometheus exposition"),
                ["400"] = AccessRules.BadRequest(document),
            },
        });
        if (jwt)
        {
            // Under Jwt a token with role admin or metrics: the document's bearer requirement applies.
            var operation = metrics.Operations![HttpMethod.Get];
            operation.Security = null;
            operation.Description = "Needs a bearer token with `role: admin` or `role: metrics`.";
            operation.Responses!["401"] = AccessRules.Detail(document, "Not authenticated: no valid bearer token");
            operation.Responses["403"] = new OpenApiResponse { Description = "A token without role `admin` or `metrics`" };
        }

        document.Paths.Add("/metrics", metrics);
    }

    static OpenApiPathItem Anonymous(OpenApiOperation operation)
    {
        operation.Tags = new HashSet<OpenApiTagReference> { new(HealthTag) };
        operation.Security = [];
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }

    static OpenApiResponse PlainText(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
    };
}
