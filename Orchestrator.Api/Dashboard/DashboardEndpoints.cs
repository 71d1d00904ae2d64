using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api.Security;

namespace Orchestrator.Api.Dashboard;

/// <summary>
/// The dashboard: plain HTML, CSS and JavaScript from <c>wwwroot</c> (no build step), served by the Api itself.
/// The page holds no data: they read it from the API with the caller's token, as any client would.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>
    /// Scripts only from this origin, no plugins, no framing by others. Inline styles are allowed for the report,
    /// which is shown in a sandboxed frame (no scripts at all) and inherits this policy.
    /// </summary>
    const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        // Before authorization (which asks every request without an endpoint for a token): the scripts are public.
        // The page read as a file (/index.html) carries the page's headers too.
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file =>
            {
                if (file.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
                    WithPageHeaders(file.Context.Response);
            },
        });

        // The pages and their scripts hold no data: anyone may load them; the API calls they make need the token.
        var pages = app.MapGroup("").WithTags("Dashboard").ExcludeFromDescription().AllowAnonymous();
        pages.MapGet("/", Page);
        // The same page for any id: it asks the API for the task, which answers 404 to a caller who may not see it.
        pages.MapGet("/tasks/{taskId}/view", Page);
        pages.MapGet("/dashboard/config", Config);
        return app;
    }

    /// <summary>What the page needs to know before it calls the API: whether to ask for a token.</summary>
    static Ok<DashboardConfig> Config(IOptions<AuthOptions> auth) => TypedResults.Ok(new DashboardConfig(auth.Value.Mode.ToString()));

    /// <summary>One page for both views: its scripts show the list, or the task its address names.</summary>
    static PhysicalFileHttpResult Page(HttpContext context, IWebHostEnvironment environment)
    {
        WithPageHeaders(context.Response);
        return TypedResults.PhysicalFile(Path.Combine(environment.WebRootPath, "index.html"), "text/html; charset=utf-8");
    }

    static void WithPageHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}

public sealed record DashboardConfig(string AuthMode);
