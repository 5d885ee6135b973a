import Hummingbird

/// `/login` and `/logout`: the session cookie, with failed tries slowed and then refused per client.
struct SessionController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/login") { _, _ in app.page("login", LoginPage(), session: nil) }
        router.post("/login") { request, context in
            try await logIn(
                try await DeskForms.form(LoginForm.self, request, limit: 4096), app.client(request, context))
        }
        router.post("/logout") { request, context in
            if let id = context.session(request) { app.security.closeSession(id) }
            var response = DeskApp.redirect("/login")
            response.setCookie(cookie(value: "", maxAge: 0))
            return response
        }
    }

    func logIn(_ form: LoginForm, _ client: String) async throws -> Response {
        let count: Int
        switch app.security.failures.admit(client) {
        case .wait(let seconds):
            app.logRefusedLogin(client)
            return DeskGuard.tooManyTries(seconds)
        case .check(let failures): count = failures
        }
        guard app.security.tokenMatches(form.token ?? "") else {
            try? await Task.sleep(for: .milliseconds(500))  // slows guessing; a cancelled sleep only answers sooner
            app.logger.warning("a desk login failed", metadata: ["client": "\(client)", "failures": "\(count)"])
            return app.page(
                "login", LoginPage(problem: "That token is not the desk's."), session: nil, status: .unauthorized)
        }
        app.security.failures.recordSuccess(client)
        var response = DeskApp.redirect("/")
        response.setCookie(cookie(value: app.security.openSession(), maxAge: 12 * 3600))
        return response
    }

    private func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: DeskSecurity.cookieName, value: value, maxAge: maxAge, path: "/", secure: app.security.cookieIsSecure,
            httpOnly: true, sameSite: .strict)
    }
}
