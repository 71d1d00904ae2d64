using Microsoft.OpenApi;
using Orchestrator.Api.Security;
using Orchestrator.ServiceDefaults;
using Scalar.AspNetCore;

namespace Orchestrator.Api.ApiDescription;

/// <summary>
/// The OpenAPI document at <c>GET /openapi/v1.json</c>, generated from the endpoints and completed by
/// <see cref="ServiceDescription"/> and <see cref="AccessRules"/>; a viewer at <c>/openapi</c> in development and in
/// the embedded mode (the viewer's page and scripts are public; under <c>Auth:Mode=Jwt</c> the document is not).
/// </summary>
public static class ApiDescriptionRegistration
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string ViewerPath = "/openapi";

    public static IHostApplicationBuilder AddApiDescription(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<ServiceDescription>();
            options.AddOperationTransformer<AccessRules>();
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // A 422's loc: names, and for a JSON syntax error the character position.
                if (context.JsonTypeInfo.Type == typeof(ValidationError) && schema.Properties?["loc"] is OpenApiSchema loc)
                    loc.Items = new OpenApiSchema { AnyOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Integer }] };
                return Task.CompletedTask;
            });
        });
        builder.Services.AddSingleton(new ApiViewer(builder.Environment.IsDevelopment() || builder.UsesInMemoryBus()));
        return builder;
    }

    public static WebApplication MapApiDescription(this WebApplication app)
    {
        // Under Auth:Mode=Jwt the document needs a token, as every route but health does; docs/openapi.json is public.
        app.MapOpenApi(DocumentPath);
        if (app.Services.GetRequiredService<ApiViewer>().Enabled)
        {
            app.UseViewerPolicy(ViewerPath);
            app.MapScalarApiReference(ViewerPath, viewer =>
            {
                viewer.Title = ServiceDescription.Title;
                viewer.OpenApiRoutePattern = DocumentPath;
                // Everything from this origin: no fonts from a CDN, no telemetry, no AI chat or deploy buttons that
                // would send the document to a third party.
                viewer.DefaultFonts = false;
                viewer.Telemetry = false;
                viewer.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                viewer.Agent = new ScalarAgentOptions { Disabled = true };
            }).AllowAnonymous();
        }

        return app;
    }
}

/// <summary>Whether <c>/openapi</c> shows the viewer: in development and in the embedded mode.</summary>
public sealed record ApiViewer(bool Enabled);
